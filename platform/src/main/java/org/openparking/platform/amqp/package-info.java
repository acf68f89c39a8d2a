/** The broker link: one connection policy, the topology, a confirming publisher and an acking consumer. */
package org.openparking.platform.amqp;
