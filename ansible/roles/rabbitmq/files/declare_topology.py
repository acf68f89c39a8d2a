#!/usr/bin/python3
"""Declare the fleet's AMQP topology (ARCHITECTURE.md, protocol's Topology.java) as the admin.

Environment: AMQP_HOST, AMQP_PORT, AMQP_VHOST, AMQP_USER, AMQP_PASSWORD (the admin),
EDGE_IDS (comma-separated lot.level).
Arguments match Topology.java exactly, so services that declare again get a no-op.
Prints a JSON object {"created": [...]} naming the queues and exchanges that did not exist.
"""
import json
import os
import sys

import pika

DLX = "parking.dlx"


def quorum(dlx):
    args = {"x-queue-type": "quorum"}
    if dlx:
        args["x-dead-letter-exchange"] = dlx
    return args


def main():
    params = pika.ConnectionParameters(
        host=os.environ["AMQP_HOST"], port=int(os.environ["AMQP_PORT"]),
        virtual_host=os.environ["AMQP_VHOST"],
        credentials=pika.PlainCredentials(os.environ["AMQP_USER"], os.environ["AMQP_PASSWORD"]))
    edge_ids = [e for e in os.environ.get("EDGE_IDS", "").split(",") if e]
    connection = pika.BlockingConnection(params)
    created = []

    def exists(kind, name):
        # A passive declare that fails closes the channel: probe on a throwaway one.
        probe = connection.channel()
        try:
            if kind == "queue":
                probe.queue_declare(name, passive=True)
            else:
                probe.exchange_declare(name, passive=True)
            probe.close()
            return True
        except pika.exceptions.ChannelClosedByBroker:
            return False

    channel = connection.channel()

    def exchange(name, kind):
        if not exists("exchange", name):
            created.append("exchange " + name)
        channel.exchange_declare(name, kind, durable=True)

    def queue(name, dlx):
        if not exists("queue", name):
            created.append("queue " + name)
        channel.queue_declare(name, durable=True, arguments=quorum(dlx))

    exchange(DLX, "fanout")
    queue("parking.dead", None)
    channel.queue_bind("parking.dead", DLX, "")
    exchange("parking.events", "topic")
    exchange("parking.payments", "direct")
    queue("payments.requests", DLX)
    channel.queue_bind("payments.requests", "parking.payments", "request")
    # cloud-sync's refund requests: an exchange no edge may write to.
    exchange("parking.refunds", "direct")
    channel.queue_bind("payments.requests", "parking.refunds", "refund")
    exchange("parking.edge", "direct")
    # The payment worker's results: its own exchange (only it may write), routed on through parking.edge by
    # the edge id, so they land in the edge queues as before while the worker may not write parking.edge.
    exchange("parking.results", "topic")
    channel.exchange_bind(destination="parking.edge", source="parking.results", routing_key="#")
    queue("cloud-sync.events", DLX)
    channel.queue_bind("cloud-sync.events", "parking.events", "edge.#")
    channel.queue_bind("cloud-sync.events", "parking.events", "payment.#")
    for edge_id in edge_ids:
        queue("edge." + edge_id, DLX)
        channel.queue_bind("edge." + edge_id, "parking.edge", edge_id)
    connection.close()
    json.dump({"created": created}, sys.stdout)


if __name__ == "__main__":
    main()
