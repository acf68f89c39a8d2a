#!/usr/bin/python3
"""Prove what an edge's RabbitMQ credentials may and may not do (run by run.sh after the
rabbitmq role has been applied to a throwaway vhost).

usage: amqp_permissions.py HOST PORT VHOST LOT USER_L0 PASS_L0 USER_L1 PASS_L1 [CS_USER CS_PASS WORKER_USER WORKER_PASS]
With the service users, also what cloud-sync's and the payment worker's credentials may and may not do.
Exits non-zero, naming the first broken expectation.
"""
import sys
import uuid

import pika

host, port, vhost, lot, user0, pass0, user1, pass1 = sys.argv[1:9]
failures = []


def connect(user, password):
    return pika.BlockingConnection(pika.ConnectionParameters(
        host=host, port=int(port), virtual_host=vhost,
        credentials=pika.PlainCredentials(user, password), connection_attempts=3, retry_delay=1))


def expect_refused(what, action, conn):
    """Run action on a fresh channel; it must be closed by the broker with 403 ACCESS_REFUSED."""
    ch = conn.channel()
    try:
        action(ch)
        # A refused publish only shows when the broker closes the channel: confirm mode makes us wait.
        ch.close()
        failures.append("allowed but must be refused: " + what)
    except pika.exceptions.ChannelClosedByBroker as e:
        if e.reply_code != 403:
            failures.append("%s: expected 403, got %s %s" % (what, e.reply_code, e.reply_text))
        else:
            print("refused as expected: " + what)


def expect_ok(what, action, conn):
    ch = conn.channel()
    try:
        action(ch)
        ch.close()
        print("allowed as expected: " + what)
    except pika.exceptions.AMQPError as e:
        failures.append("refused but must be allowed: %s (%r)" % (what, e))


def publish(exchange, key):
    def run(ch):
        ch.confirm_delivery()
        ch.basic_publish(exchange, key, b'{"test":true}',
                         pika.BasicProperties(message_id=str(uuid.uuid4()), delivery_mode=2,
                                              content_type="application/json"))
    return run


def get(queue):
    return lambda ch: ch.basic_get(queue, auto_ack=False)


edge0 = connect(user0, pass0)
own_queue, other_queue = "edge.%s.L0" % lot, "edge.%s.L1" % lot

expect_ok("L0 publishes its own event edge.%s.L0.test" % lot,
          publish("parking.events", "edge.%s.L0.test" % lot), edge0)
expect_ok("L0 publishes a payment request", publish("parking.payments", "request"), edge0)
expect_ok("L0 reads its own queue %s" % own_queue, get(own_queue), edge0)
expect_ok("L0 dead-letters to parking.dlx", publish("parking.dlx", ""), edge0)
expect_ok("L0 declares its own queue passively",
          lambda ch: ch.queue_declare(own_queue, passive=True), edge0)
expect_ok("L0 re-declares its own queue with the topology's arguments",
          lambda ch: ch.queue_declare(own_queue, durable=True, arguments={
              "x-queue-type": "quorum", "x-dead-letter-exchange": "parking.dlx"}), edge0)
expect_ok("L0 declares parking.events passively",
          lambda ch: ch.exchange_declare("parking.events", passive=True), edge0)

expect_refused("L0 publishes as L1 (edge.%s.L1.test)" % lot,
               publish("parking.events", "edge.%s.L1.test" % lot), edge0)
expect_refused("L0 publishes as another lot (edge.other.L0.test)",
               publish("parking.events", "edge.other.L0.test"), edge0)
expect_refused("L0 publishes a payment result as the cloud (parking.edge)",
               publish("parking.edge", "%s.L1" % lot), edge0)
expect_refused("L0 publishes a payment result as the worker (parking.results)",
               publish("parking.results", "%s.L0" % lot), edge0)
expect_refused("L0 reads L1's queue %s" % other_queue, get(other_queue), edge0)
expect_refused("L0 consumes L1's queue %s" % other_queue,
               lambda ch: ch.basic_consume(other_queue, lambda *a: None), edge0)
expect_refused("L0 reads the payment queue", get("payments.requests"), edge0)
expect_refused("L0 reads the dead-letter queue", get("parking.dead"), edge0)
expect_refused("L0 binds its queue to L1's command key",
               lambda ch: ch.queue_bind(own_queue, "parking.edge", "%s.L1" % lot), edge0)
expect_refused("L0 deletes L1's queue", lambda ch: ch.queue_delete(other_queue), edge0)
expect_refused("L0 deletes the payment queue", lambda ch: ch.queue_delete("payments.requests"), edge0)
expect_refused("L0 deletes parking.events", lambda ch: ch.exchange_delete("parking.events"), edge0)
expect_refused("L0 declares a queue of its own choosing",
               lambda ch: ch.queue_declare("edge.%s.L0-spy" % lot, durable=True), edge0)
edge0.close()

# The routing key an edge publishes on reaches cloud-sync; what L1 is sent reaches L1 only.
edge1 = connect(user1, pass1)
expect_ok("L1 publishes its own event", publish("parking.events", "edge.%s.L1.test" % lot), edge1)
expect_refused("L1 publishes as L0", publish("parking.events", "edge.%s.L0.test" % lot), edge1)
expect_refused("L1 reads L0's queue", get(own_queue), edge1)
edge1.close()

try:
    connect(user0, "wrong-password").close()
    failures.append("a wrong password was accepted")
except pika.exceptions.AMQPConnectionError:
    print("refused as expected: wrong password")

expect_refused("L0 publishes a refund request (parking.refunds)", publish("parking.refunds", "refund"),
               connect(user0, pass0))

if len(sys.argv) > 9:
    cs_user, cs_pass, worker_user, worker_pass = sys.argv[9:13]
    cs = connect(cs_user, cs_pass)
    # What cloud-sync does at start and for a tariff push to an edge that never connected.
    expect_ok("cloud-sync declares its queue and bindings", lambda ch: (
        ch.exchange_declare("parking.dlx", "fanout", durable=True),
        ch.queue_declare("parking.dead", durable=True, arguments={"x-queue-type": "quorum"}),
        ch.queue_bind("parking.dead", "parking.dlx", ""),
        ch.exchange_declare("parking.events", "topic", durable=True),
        ch.exchange_declare("parking.edge", "direct", durable=True),
        ch.queue_declare("cloud-sync.events", durable=True, arguments={
            "x-queue-type": "quorum", "x-dead-letter-exchange": "parking.dlx"}),
        ch.queue_bind("cloud-sync.events", "parking.events", "edge.#"),
        ch.queue_bind("cloud-sync.events", "parking.events", "payment.#")), cs)
    new_edge = "edge.%s.L9" % lot
    expect_ok("cloud-sync declares and binds a new edge's queue " + new_edge, lambda ch: (
        ch.queue_declare(new_edge, durable=True, arguments={
            "x-queue-type": "quorum", "x-dead-letter-exchange": "parking.dlx"}),
        ch.queue_bind(new_edge, "parking.edge", "%s.L9" % lot)), cs)
    expect_ok("cloud-sync declares its refund exchange and binds it to the payment queue", lambda ch: (
        ch.exchange_declare("parking.refunds", "direct", durable=True),
        ch.queue_bind("payments.requests", "parking.refunds", "refund")), cs)
    expect_ok("cloud-sync sends a command", publish("parking.edge", "%s.L0" % lot), cs)
    expect_ok("cloud-sync requests a refund", publish("parking.refunds", "refund"), cs)
    expect_ok("cloud-sync reads its queue", get("cloud-sync.events"), cs)
    expect_ok("cloud-sync dead-letters", publish("parking.dlx", ""), cs)
    expect_refused("cloud-sync publishes an edge event", publish("parking.events", "edge.%s.L0.test" % lot), cs)
    expect_refused("cloud-sync reads the dead-letter queue", get("parking.dead"), cs)
    expect_refused("cloud-sync reads the payment queue", get("payments.requests"), cs)
    expect_refused("cloud-sync publishes a payment request", publish("parking.payments", "request"), cs)
    expect_refused("cloud-sync publishes a payment result (parking.results)",
                   publish("parking.results", "%s.L0" % lot), cs)
    cs.close()

    worker = connect(worker_user, worker_pass)
    expect_ok("the worker checks its names passively", lambda ch: (
        ch.queue_declare("payments.requests", passive=True),
        ch.exchange_declare("parking.events", passive=True),
        ch.exchange_declare("parking.results", passive=True)), worker)
    expect_ok("the worker reads the payment queue", get("payments.requests"), worker)
    marker = str(uuid.uuid4())

    def result_to_l0(ch):
        ch.confirm_delivery()
        ch.basic_publish("parking.results", "%s.L0" % lot, b'{"test":"result"}',
                         pika.BasicProperties(message_id=marker, delivery_mode=2, content_type="application/json"),
                         mandatory=True)
    expect_ok("the worker sends a result to an edge (parking.results)", result_to_l0, worker)

    def result_arrived(ch):
        # parking.results -> parking.edge -> edge.{lot}.L0: the result is in the edge's own queue, and shows
        # the exchange it was published to.
        for _ in range(200):
            method, props, _body = ch.basic_get(own_queue, auto_ack=False)
            if method is None:
                break
            if props.message_id == marker:
                ch.basic_ack(method.delivery_tag)
                if method.exchange != "parking.results":
                    raise pika.exceptions.AMQPError("delivered from %s" % method.exchange)
                return
        raise pika.exceptions.AMQPError("the worker's result never reached " + own_queue)
    expect_ok("the result reaches the edge's queue through parking.edge", result_arrived, connect(user0, pass0))
    expect_refused("the worker publishes on parking.edge (a command's exchange)",
                   publish("parking.edge", "%s.L0" % lot), worker)
    expect_refused("the worker sends a result with a key that names no edge",
                   publish("parking.results", "%s.L0.x" % lot), worker)
    expect_ok("the worker publishes a payment event",
              publish("parking.events", "payment.%s.L0.payment.result" % lot), worker)
    expect_ok("the worker dead-letters", publish("parking.dlx", ""), worker)
    expect_refused("the worker publishes an edge event",
                   publish("parking.events", "edge.%s.L0.test" % lot), worker)
    expect_refused("the worker requests a refund", publish("parking.refunds", "refund"), worker)
    expect_refused("the worker publishes a payment request", publish("parking.payments", "request"), worker)
    expect_refused("the worker declares a queue", lambda ch: ch.queue_declare("payments.spy", durable=True), worker)
    expect_refused("the worker deletes an edge queue", lambda ch: ch.queue_delete(own_queue), worker)
    expect_refused("the worker deletes cloud-sync's queue", lambda ch: ch.queue_delete("cloud-sync.events"), worker)
    expect_refused("the worker reads an edge queue", get(own_queue), worker)
    expect_refused("the worker reads cloud-sync's queue", get("cloud-sync.events"), worker)
    worker.close()

if failures:
    print("\n".join("FAIL: " + f for f in failures))
    sys.exit(1)
print("amqp permissions: all expectations held")
