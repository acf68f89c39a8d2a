package org.openparking.testing;

import java.io.IOException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A fresh RabbitMQ virtual host on the local broker, deleted on close. The topology names are
 * fixed by the architecture, so isolation between tests comes from the vhost, not from names.
 * Uses {@code rabbitmqctl} (the broker runs on this machine in development and CI).
 */
public final class TestBroker implements AutoCloseable {
    public static final String HOST = System.getenv().getOrDefault("PARKING_TEST_AMQP_HOST", "127.0.0.1");
    public static final int PORT = Integer.parseInt(System.getenv().getOrDefault("PARKING_TEST_AMQP_PORT", "5672"));

    private final String vhost;
    private final List<String> users = new java.util.concurrent.CopyOnWriteArrayList<>();

    private TestBroker(String vhost) {
        this.vhost = vhost;
    }

    public static TestBroker create() {
        String vhost = "test-" + UUID.randomUUID().toString().substring(0, 8);
        ctl("add_vhost", vhost);
        ctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*");
        return new TestBroker(vhost);
    }

    public String vhost() {
        return vhost;
    }

    /** {@code amqp://guest:guest@127.0.0.1:5672/<vhost>} */
    public String uri() {
        return "amqp://guest:guest@" + HOST + ":" + PORT + "/" + vhost;
    }

    /**
     * A broker user with these permissions (regular expressions, as {@code rabbitmqctl set_permissions})
     * on this vhost, deleted on {@link #close}. Users are global to the broker: give each test its own names.
     */
    public void addUser(String name, String password, String configure, String write, String read) {
        ctl("add_user", name, password);
        users.add(name);
        ctl("set_permissions", "-p", vhost, name, configure, write, read);
    }

    /** Topic permissions of a user on one exchange of this vhost ({@code rabbitmqctl set_topic_permissions}). */
    public void setTopicPermissions(String name, String exchange, String write, String read) {
        ctl("set_topic_permissions", "-p", vhost, name, exchange, write, read);
    }

    /** The URI of this vhost as {@code user}. */
    public String uri(String user, String password) {
        return "amqp://" + user + ":" + password + "@" + HOST + ":" + PORT + "/" + vhost;
    }

    /** Runs {@code rabbitmqctl} with the given arguments and returns its output; fails on a non-zero exit. */
    public static String ctl(String... args) {
        List<String> command = new java.util.ArrayList<>();
        command.add(System.getenv().getOrDefault("RABBITMQCTL", "rabbitmqctl"));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("rabbitmqctl " + String.join(" ", args) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run rabbitmqctl (is RabbitMQ installed? scripts/services.sh)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        for (String user : users) {
            ctl("delete_user", user);
        }
        ctl("delete_vhost", vhost);
    }
}
