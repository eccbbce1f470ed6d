package segue.database;

import java.util.List;

import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.EmptyIndex;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.bson.Document;

/** An H2 database of {@link MongoLikeCollection}s. */
final class MongoLikeDatabase extends H2Database {

    // the map names H2Database gives a collection's documents and metadata: the data file is laid out by them
    private static final String DATA_MAP_PREFIX = "databases.";
    private static final String META_MAP_PREFIX = "meta.";

    private final MVStore store;

    MongoLikeDatabase(String databaseName, MVStore store, CursorRegistry cursorRegistry) {
        super(databaseName, store, cursorRegistry);
        this.store = store;
        // deferred from the superclass constructor, which runs before this class's fields are set
        super.initializeNamespacesAndIndexes();
    }

    @Override
    protected void initializeNamespacesAndIndexes() {
        if (store != null) {
            super.initializeNamespacesAndIndexes();
        }
    }

    @Override
    protected MongoCollection<Object> openOrCreateCollection(String collectionName, CollectionOptions options) {
        String fullName = getFullCollectionNamespace(collectionName);
        MVMap<Object, Document> dataMap = store.openMap(DATA_MAP_PREFIX + fullName);
        MVMap<String, Object> metaMap = store.openMap(META_MAP_PREFIX + fullName);
        return new MongoLikeCollection(this, collectionName, options, dataMap, metaMap, cursorRegistry);
    }

    /**
     * The engine has no non-unique indexes: such an index is accepted and not
     * kept, as mongo-java-server does, without its warning on every
     * createIndexes. Segue's hot reads never need one.
     */
    @Override
    protected Index<Object> openOrCreateSecondaryIndex(String collectionName, String indexName, List<IndexKey> keys,
                                                       boolean sparse) {
        return new NothingKeptIndex(indexName, keys);
    }

    /**
     * An index that keeps nothing has nothing to build. Reported empty, as
     * mongo-java-server's is, it is "built" by reading the whole collection
     * each time the file is opened.
     */
    private static final class NothingKeptIndex extends EmptyIndex<Object> {

        NothingKeptIndex(String name, List<IndexKey> keys) {
            super(name, keys);
        }

        @Override
        public boolean isEmpty() {
            return false;
        }
    }
}
