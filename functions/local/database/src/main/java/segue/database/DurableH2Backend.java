package segue.database;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;

/**
 * mongo-java-server's H2 backend with MongoDB's durability.
 *
 * <p>Every command's changes are written to the data file before its answer
 * goes out, so an acknowledged write survives the death of this process, and
 * a commit only ever holds whole commands: commands run under a shared lock,
 * commits under the exclusive one, and the store never commits on its own (by
 * default it did, every second and whenever enough was unsaved, halfway
 * through a command: a document could be stored without its {@code _id}
 * index entry). The file is synced to disk at most {@link #SYNC_INTERVAL_MS}
 * later (MongoDB syncs its journal every 100 ms too), or before the answer
 * when the client asks for {@code writeConcern: {j: true}}.
 */
final class DurableH2Backend extends H2Backend {

    private static final Logger log = LoggerFactory.getLogger(DurableH2Backend.class);

    static final long SYNC_INTERVAL_MS = 100;
    /** How often partly dead chunks are rewritten, so the space they hold is freed for reuse. */
    private static final long COMPACT_INTERVAL_MS = 1000;
    /** Rewrite while less than this share of the file's chunks is live data. */
    private static final int COMPACT_BELOW_FILL_PERCENT = 80;
    /** Bytes rewritten per pass, so a pass never holds up commits for long. */
    private static final int COMPACT_BYTES_PER_PASS = 8 * 1024 * 1024;

    /**
     * The oldest server the MongoDB Node.js driver 7 accepts (4.4, wire
     * version 9). mongo-java-server answers for 5.0 with wire version 8 by
     * default, which that driver refuses.
     */
    private static final MongoVersion ADVERTISED_VERSION = new MongoVersion() {
        @Override
        public List<Integer> getVersionArray() {
            return List.of(4, 4, 0);
        }

        @Override
        public int getWireVersion() {
            return 9;
        }
    };

    private final ReentrantReadWriteLock commitLock = new ReentrantReadWriteLock();
    private final AtomicLong commits = new AtomicLong();
    private volatile boolean closing;
    private long syncedCommits;
    private final ScheduledExecutorService housekeeper = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "housekeeping");
        thread.setDaemon(true);
        return thread;
    });

    static DurableH2Backend open(Path file, int cacheMegabytes) {
        MVStore store = new MVStore.Builder()
            .fileName(file.toString())
            .cacheSize(cacheMegabytes)
            // no commits but ours: no background writer, no commit when enough is unsaved
            .autoCommitDisabled()
            .autoCommitBufferSize(0)
            .open();
        return new DurableH2Backend(store);
    }

    private DurableH2Backend(MVStore store) {
        super(store);
        version(ADVERTISED_VERSION);
        housekeeper.scheduleWithFixedDelay(() -> orStop(this::syncIfCommitted), SYNC_INTERVAL_MS, SYNC_INTERVAL_MS,
            TimeUnit.MILLISECONDS);
        housekeeper.scheduleWithFixedDelay(() -> orStop(this::compact), COMPACT_INTERVAL_MS, COMPACT_INTERVAL_MS,
            TimeUnit.MILLISECONDS);
    }

    @Override
    protected MongoDatabase openOrCreateDatabase(String databaseName) {
        return new MongoLikeDatabase(databaseName, getMvStore(), getCursorRegistry());
    }

    @Override
    public Document handleCommand(Channel channel, String databaseName, String command, Document query) {
        try {
            commitLock.readLock().lock();
            try {
                return super.handleCommand(channel, databaseName, command, query);
            } finally {
                commitLock.readLock().unlock();
            }
        } finally {
            // also after a failed command: an unordered batch may have written some of its documents
            if (!closing) {
                orStop(() -> persist(asksForJournal(query)));
            }
        }
    }

    private void persist(boolean sync) {
        MVStore store = getMvStore();
        if (store.isClosed() || store.getPanicException() != null) {
            throw new IllegalStateException("the store has closed", store.getPanicException());
        }
        if (store.hasUnsavedChanges()) {
            commit();
        } else {
            // a commit under way may be writing this command's changes: the answer waits for it
            commitLock.readLock().lock();
            commitLock.readLock().unlock();
        }
        if (sync) {
            store.sync();
        }
    }

    /** Commits what whole commands changed; none is halfway through meanwhile. */
    @Override
    public void commit() {
        commitLock.writeLock().lock();
        try {
            getMvStore().commit();
            commits.incrementAndGet();
        } finally {
            commitLock.writeLock().unlock();
        }
    }

    private void syncIfCommitted() {
        long committed = commits.get();
        if (committed != syncedCommits && !getMvStore().isClosed()) {
            getMvStore().sync();
            syncedCommits = committed;
        }
    }

    /**
     * Space in the file is reused once the chunks holding it are wholly dead.
     * Deleting a track leaves some chunks partly live; rewriting their live
     * pages frees them. The rewritten pages are committed like any change.
     */
    private void compact() {
        MVStore store = getMvStore();
        if (!store.isClosed() && store.compact(COMPACT_BELOW_FILL_PERCENT, COMPACT_BYTES_PER_PASS)) {
            commit();
        }
    }

    /**
     * A store that cannot write (a full disk, a failing one) closes itself.
     * Rather than answer from memory what the file does not hold, the process
     * stops, to be started again from the last commit.
     */
    private static void orStop(Runnable work) {
        try {
            work.run();
        } catch (RuntimeException e) {
            log.error("the data file can no longer be written; stopping", e);
            Runtime.getRuntime().halt(3);
        }
    }

    private static boolean asksForJournal(Document query) {
        return query.get("writeConcern") instanceof Document concern && Boolean.TRUE.equals(concern.get("j"));
    }

    @Override
    public void close() {
        closing = true;
        housekeeper.shutdown();
        try {
            housekeeper.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        commitLock.writeLock().lock();
        try {
            super.close();
        } finally {
            commitLock.writeLock().unlock();
        }
    }
}
