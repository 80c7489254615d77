#!/usr/bin/env bash
# Start time and memory of each service's image, alone on this machine, with the image's AppCDS
# archive (its default) and without it (-Xshare:off). Run after ComposeIT or
# `podman-compose build` made the images; as root, with the tests' containers.conf:
#
#   CONTAINERS_CONF=deployment/src/test/containers/containers.conf bench/containers/start-times.sh [runs]
#
# Prints one line per start: service, mode, Quarkus' "started in" (s) and the container's memory
# in use right after (podman stats), then the image sizes. Nothing else is reachable (no Redis,
# Kafka or usersig-service): each service starts and retries those in the background, as a pod
# whose dependencies come up later does.
set -euo pipefail
runs=${1:-3}
declare -A env=(
  [usersig-service]="-e TRTC_APPS=1400000000:bench-secret -e BACKEND_CLIENTS=c:s:usersig:issue -e JWT_ALLOW_GENERATED_KEY=true"
  [presence-service]="-e JWKS_URL=http://127.0.0.1:1/jwks"
  [signaling-service]="-e TRTC_APPS=1400000000:bench-secret -e TURN_SECRET=bench -e SIGNALING_CLIENT=c:s"
  [media-relay]="-e TURN_SECRET=bench"
  [web-client]=""
)
for service in usersig-service presence-service signaling-service media-relay web-client; do
  for mode in appcds no-cds; do
    extra=""
    [ "$mode" = no-cds ] && extra="-e JAVA_OPTS_APPEND=-Xshare:off"
    for _ in $(seq "$runs"); do
      # shellcheck disable=SC2086
      id=$(podman run -d ${env[$service]} $extra "opencalling/$service:jvm")
      started=""
      for _ in $(seq 120); do
        started=$(podman logs "$id" 2>&1 | grep -o 'started in [0-9.]*s' | grep -o '[0-9.]*' | tail -1 || true)
        [ -n "$started" ] && break
        sleep 0.25
      done
      mem=$(podman stats --no-stream --format '{{.MemUsage}}' "$id" | cut -d/ -f1)
      echo "$service $mode ${started:-none} $mem"
      podman rm -f "$id" >/dev/null
    done
  done
done
podman images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep opencalling/ | sort
