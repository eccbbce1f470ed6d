package segue.database;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;

/**
 * mongo-java-server's H2 backend with MongoDB's durability: every command's
 * changes are written to the data file before its answer goes out, so an
 * acknowledged write survives the death of this process. The file is synced
 * to disk at most {@link #SYNC_INTERVAL_MS} later (MongoDB syncs its journal
 * every 100 ms too), or before the answer when the client asks for
 * {@code writeConcern: {j: true}}.
 */
final class DurableH2Backend extends H2Backend {

    private static final Logger log = LoggerFactory.getLogger(DurableH2Backend.class);

    static final long SYNC_INTERVAL_MS = 100;

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

    private final AtomicBoolean unsynced = new AtomicBoolean();
    private final ScheduledExecutorService syncer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "sync");
        thread.setDaemon(true);
        return thread;
    });

    static DurableH2Backend open(Path file, int cacheMegabytes) {
        MVStore store = new MVStore.Builder()
            .fileName(file.toString())
            .cacheSize(cacheMegabytes)
            .open();
        return new DurableH2Backend(store);
    }

    private DurableH2Backend(MVStore store) {
        super(store);
        version(ADVERTISED_VERSION);
        syncer.scheduleWithFixedDelay(() -> orStop(this::syncIfNeeded), SYNC_INTERVAL_MS, SYNC_INTERVAL_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    protected MongoDatabase openOrCreateDatabase(String databaseName) {
        return new MongoLikeDatabase(databaseName, getMvStore(), getCursorRegistry());
    }

    @Override
    public Document handleCommand(Channel channel, String databaseName, String command, Document query) {
        try {
            return super.handleCommand(channel, databaseName, command, query);
        } finally {
            // also after a failed command: an unordered batch may have written some of its documents
            persist(asksForJournal(query));
        }
    }

    private void persist(boolean sync) {
        orStop(() -> {
            MVStore store = getMvStore();
            if (store.hasUnsavedChanges()) {
                store.commit();
                unsynced.set(true);
            }
            if (sync) {
                syncIfNeeded();
            }
        });
    }

    /**
     * A store that cannot write (a full disk, a failing one) closes itself.
     * Rather than answer from memory what the file does not hold, the process
     * stops, to be started again from the last commit.
     */
    private static void orStop(Runnable write) {
        try {
            write.run();
        } catch (RuntimeException e) {
            log.error("could not write to the data file; stopping", e);
            Runtime.getRuntime().halt(3);
        }
    }

    private void syncIfNeeded() {
        MVStore store = getMvStore();
        if (unsynced.getAndSet(false) && !store.isClosed()) {
            store.sync();
        }
    }

    private static boolean asksForJournal(Document query) {
        return query.get("writeConcern") instanceof Document concern && Boolean.TRUE.equals(concern.get("j"));
    }

    @Override
    public void close() {
        syncer.shutdown();
        try {
            syncer.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        super.close();
    }
}
