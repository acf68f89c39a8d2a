package org.openparking.platform.jdbc;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit on a real SQLite file: writes queued while another is being committed share one commit, a unit
 * that fails is rolled back alone, no caller returns before its own commit, and deferred writes ride along.
 */
class GroupCommitTest {
    private static final String MIGRATIONS = "classpath:db/platform-test";

    @TempDir
    Path dir;
    private SqliteDatabase db;
    private final AtomicInteger commits = new AtomicInteger();

    @BeforeEach
    void open() {
        db = (SqliteDatabase) Database.open(new SqliteSettings(dir.resolve("level.db"), Duration.ofSeconds(5)),
                MIGRATIONS);
        db.afterCommit(commits::incrementAndGet);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void writesQueuedBehindACommitShareTheNextOneAndAFailingUnitIsRolledBackAlone() throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<Integer> first = start(() -> db.write(c -> {
            holding.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return Jdbc.update(c, "INSERT INTO items (id, name) VALUES (?, ?)", 1, "first");
        }));
        assertThat(holding.await(10, TimeUnit.SECONDS), is(true));
        List<Future<Integer>> lanes = new ArrayList<>();
        for (int i = 2; i <= 5; i++) {
            int id = i;
            lanes.add(start(() -> db.write(c -> Jdbc.update(c, "INSERT INTO items (id, name) VALUES (?, ?)", id,
                    "lane " + id))));
        }
        Future<Integer> refused = start(() -> db.write(c -> {
            Jdbc.update(c, "INSERT INTO items (id, name) VALUES (?, ?)", 6, "half done");
            throw new IllegalStateException("LEVEL_FULL");
        }));
        Future<Integer> broken = start(() -> db.write(c ->
                Jdbc.update(c, "INSERT INTO items (id, name) VALUES (?, ?)", 2, "duplicate of lane 2")));
        await().atMost(Duration.ofSeconds(10)).until(() -> db.queued() == 6);
        for (Future<Integer> lane : lanes) {
            assertThat("not acknowledged before its commit", lane.isDone(), is(false));
        }
        release.countDown();

        assertThat(first.get(10, TimeUnit.SECONDS), is(1));
        for (Future<Integer> lane : lanes) {
            assertThat(lane.get(10, TimeUnit.SECONDS), is(1));
        }
        ExecutionException business = assertThrows(ExecutionException.class, () -> refused.get(10, TimeUnit.SECONDS));
        assertThat(business.getCause(), instanceOf(IllegalStateException.class));
        assertThat(business.getCause().getMessage(), is("LEVEL_FULL"));
        ExecutionException store = assertThrows(ExecutionException.class, () -> broken.get(10, TimeUnit.SECONDS));
        assertThat(store.getCause(), instanceOf(StoreException.class));
        assertThat(names(), contains("first", "lane 2", "lane 3", "lane 4", "lane 5"));
        assertThat("the held write, then one commit for the six queued behind it", commits.get(), is(2));
    }

    @Test
    void aDeferredWriteRidesInTheNextWritesCommitInOrder() {
        CompletableFuture<Integer> deferred = db.writeDeferred(c ->
                Jdbc.update(c, "INSERT INTO items (id, name) VALUES (?, ?)", 1, "barrier up"));
        db.write(c -> Jdbc.update(c, "INSERT INTO items (id, name) VALUES (?, ?)", 2, "entry"));
        assertThat(deferred.isDone(), is(true));
        assertThat(names(), contains("barrier up", "entry"));
    }

    @Test
    void aDeferredWriteAloneIsCommittedSoonAndItsFailureCompletesItsFuture() {
        CompletableFuture<Integer> alone = db.writeDeferred(c ->
                Jdbc.update(c, "INSERT INTO items (id, name) VALUES (?, ?)", 1, "barrier down"));
        await().atMost(Duration.ofSeconds(10)).until(alone::isDone);
        assertThat(names(), contains("barrier down"));
        CompletableFuture<Integer> failing = db.writeDeferred(c ->
                Jdbc.update(c, "INSERT INTO items (id, name) VALUES (?, ?)", 1, "duplicate"));
        await().atMost(Duration.ofSeconds(10)).until(failing::isDone);
        assertThat(failing.isCompletedExceptionally(), is(true));
    }

    @Test
    void closeWritesWhatIsStillDeferredAndAWriteInsideAWriteIsRefused() {
        assertThrows(IllegalStateException.class, () -> db.write(c -> db.write(inner -> 0)));
        db.writeDeferred(c -> Jdbc.update(c, "INSERT INTO items (id, name) VALUES (?, ?)", 1, "last movement"));
        db.close();
        db = (SqliteDatabase) Database.open(new SqliteSettings(dir.resolve("level.db"), Duration.ofSeconds(5)),
                MIGRATIONS);
        assertThat(names(), containsInAnyOrder("last movement"));
    }

    private static <T> Future<T> start(java.util.concurrent.Callable<T> call) {
        FutureTask<T> task = new FutureTask<>(call);
        Thread.ofPlatform().daemon().start(task);
        return task;
    }

    private List<String> names() {
        return db.read(c -> Jdbc.query(c, "SELECT name FROM items ORDER BY id", rs -> rs.getString(1)));
    }
}
