#!/usr/bin/env bash
# The ROS 1 master (Debian's rosmaster, what `roscore` starts) as a real
# service for the interop suite.
#   serve.sh PORT DIR   -> http://127.0.0.1:PORT/
# ROS_IP=127.0.0.1 makes it bind to loopback (else it binds 0.0.0.0) and
# name itself http://127.0.0.1:PORT/; its logs and ROS_HOME go into DIR.
# Runs in the foreground.
set -eu
port=$1 dir=$2
export ROS_IP=127.0.0.1 ROS_HOME=$dir ROS_LOG_DIR=$dir
exec rosmaster --core -p "$port"
