import com.rabbitmq.client.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.*;
import java.util.concurrent.*;

/**
 * Run by scripts/quorum-cluster-kill.sh on its 3-node private cluster: a quorum queue declared through node 1
 * (so node 1 leads it), confirmed publishes (batches of 100, a batch not confirmed in 10 s is sent again) and
 * a consumer on node 0, kill -9 of node 1 after a quarter of the messages; exit 1 if a confirmed message
 * was never consumed. Arguments: messages, node 0's port, node 1's port, node 1's pid file, node 0's name,
 * the cookie's HOME, RabbitMQ's bin directory.
 */
public class QuorumClusterKill {
    public static void main(String[] a) throws Exception {
        int total = Integer.parseInt(a[0]);
        home = a[5];
        bin = a[6];
        ConnectionFactory f1 = new ConnectionFactory(); f1.setHost("127.0.0.1"); f1.setPort(Integer.parseInt(a[2]));
        try (Connection c = f1.newConnection(); Channel ch = c.createChannel()) {
            ch.queueDeclare("quorum-kill", true, false, false, Map.of("x-queue-type", "quorum"));
        }
        Thread.sleep(2000);
        System.out.println(run(bin + "/rabbitmq-queues", "-n", a[4], "quorum_status", "quorum-kill"));
        ConnectionFactory f0 = new ConnectionFactory(); f0.setHost("127.0.0.1"); f0.setPort(Integer.parseInt(a[1]));
        f0.setAutomaticRecoveryEnabled(true); f0.setNetworkRecoveryInterval(500);
        Connection pc = f0.newConnection("pub"), cc = f0.newConnection("sub");
        Set<String> received = ConcurrentHashMap.newKeySet(); List<String> all = Collections.synchronizedList(new ArrayList<>());
        Channel sub = cc.createChannel(); sub.basicQos(200);
        sub.basicConsume("quorum-kill", false, new DefaultConsumer(sub) {
            public void handleDelivery(String t, Envelope e, AMQP.BasicProperties p, byte[] b) throws java.io.IOException {
                String id = new String(b, StandardCharsets.UTF_8); received.add(id); all.add(id); getChannel().basicAck(e.getDeliveryTag(), false);
            }
        });
        Channel pub = pc.createChannel(); pub.confirmSelect();
        Set<String> confirmed = new HashSet<>(); long killedAt = 0, t0 = System.nanoTime(); long lastOk = 0; long maxGapMs = 0; int republished = 0;
        for (int i = 0; i < total; i += 100) {
            List<String> batch = new ArrayList<>(); for (int j = i; j < Math.min(total, i + 100); j++) batch.add("m" + j);
            if (killedAt == 0 && i >= total / 4) {
                String pid = Files.readString(Path.of(a[3])).trim();
                run("kill", "-9", pid); killedAt = System.nanoTime();
                System.out.println("kill -9 of node 1 (the queue's leader, pid " + pid + ") after " + i + " messages");
            }
            while (true) {
                try {
                    if (!pub.isOpen()) { pub = pc.createChannel(); pub.confirmSelect(); }
                    for (String id : batch) pub.basicPublish("", "quorum-kill", MessageProperties.PERSISTENT_BASIC, id.getBytes(StandardCharsets.UTF_8));
                    pub.waitForConfirmsOrDie(10_000);
                    confirmed.addAll(batch);
                    long now = System.nanoTime(); if (lastOk != 0) maxGapMs = Math.max(maxGapMs, (now - lastOk) / 1_000_000); lastOk = now;
                    break;
                } catch (Exception e) { republished += batch.size(); Thread.sleep(200); }
            }
        }
        long pubDone = System.nanoTime();
        for (int k = 0; k < 120 && !received.containsAll(confirmed); k++) Thread.sleep(500);
        Set<String> missing = new HashSet<>(confirmed); missing.removeAll(received);
        System.out.printf("published %d, confirmed %d, received %d distinct (%d deliveries: %d duplicates), missing %d, republished after an unconfirmed batch %d, longest gap between confirmed batches %d ms, %.0f s in all%n",
                total, confirmed.size(), received.size(), all.size(), all.size() - received.size(), missing.size(), republished, maxGapMs, (pubDone - t0) / 1e9);
        System.out.println(run(bin + "/rabbitmq-queues", "-n", a[4], "quorum_status", "quorum-kill"));
        pc.abort(); cc.abort();
        System.exit(missing.isEmpty() ? 0 : 1);
    }
    static String home;
    static String bin;

    static String run(String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("HOME", home);
        Process p = pb.start(); String out = new String(p.getInputStream().readAllBytes()); p.waitFor(); return out;
    }
}
