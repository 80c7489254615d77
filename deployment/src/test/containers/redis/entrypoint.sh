# As the official image does: a redis-server started without a configuration file serves other
# containers (protected mode would refuse every client not on loopback).
if [ "$1" = redis-server ]; then
  set -- "$@" --protected-mode no
fi
exec "$@"
