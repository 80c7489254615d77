#!/bin/bash
# The health check docker-compose.yml runs against the official image, here a cheap stand-in:
# the broker's listener accepts connections (it opens them once the node is ready).
exec 3<>/dev/tcp/127.0.0.1/9092
