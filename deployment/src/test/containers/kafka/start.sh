#!/bin/sh
# Format the log directory once (a restarted container keeps it), then run the node.
set -e
CP='/opt/kafka/libs/*'
LOG="-Dlog4j2.configurationFile=/opt/kafka/log4j2.properties"
if [ ! -f /var/lib/kafka/data/meta.properties ]; then
  java -Xmx128m $LOG -cp "$CP" kafka.tools.StorageTool format \
    --config /opt/kafka/server.properties --cluster-id "${CLUSTER_ID:-b3BlbmNhbGxpbmctdGVzdA}" --ignore-formatted
fi
exec java -Xms128m -Xmx256m $LOG -cp "$CP" kafka.Kafka /opt/kafka/server.properties
