#!/bin/sh
# Waits for the mosquitto role to have written the configuration (its password digest is the last file),
# then runs the broker with Debian's mosquitto.conf, which includes conf.d/.
set -eu
while [ ! -s /etc/mosquitto/parking.passwd.sha256 ]; do sleep 0.5; done
exec mosquitto -c /etc/mosquitto/mosquitto.conf
