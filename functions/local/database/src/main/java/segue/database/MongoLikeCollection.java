package segue.database;

import java.util.List;

import org.h2.mvstore.MVMap;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.bson.Document;

/**
 * mongo-java-server's H2 collection, made to behave as MongoDB does in two
 * ways the service depends on.
 */
final class MongoLikeCollection extends H2Collection {

    MongoLikeCollection(MongoDatabase database, String collectionName, CollectionOptions options,
                        MVMap<Object, Document> dataMap, MVMap<String, Object> metaMap, CursorRegistry cursorRegistry) {
        super(database, collectionName, options, dataMap, metaMap, cursorRegistry);
    }

    /**
     * A filter that pins {@code _id} (to one value or an {@code $in} list) is
     * answered from the {@code _id} index, whatever else it says, and then the
     * whole filter is applied to what was found: what MongoDB's planner does.
     * mongo-java-server uses an index only when a filter names exactly the
     * index's fields, so {@code {_id, status, "lease.owner"}} (a conditional
     * update) would otherwise read every document of the collection.
     */
    @Override
    protected QueryResult queryDocuments(Document query, Document orderBy, int numberToSkip, int limit, int batchSize,
                                         Document fieldSelector) {
        String idField = getIdField();
        if (idField != null && query.size() > 1 && query.containsKey(idField)) {
            Document idOnly = new Document(idField, query.get(idField));
            for (Index<Object> index : getIndexes()) {
                if (isOn(index, idField) && index.canHandle(idOnly)) {
                    return matchDocuments(query, index.getPositions(idOnly), orderBy, numberToSkip, limit, batchSize,
                        fieldSelector);
                }
            }
        }
        return super.queryDocuments(query, orderBy, numberToSkip, limit, batchSize, fieldSelector);
    }

    private static boolean isOn(Index<Object> index, String field) {
        return index.getKeys().size() == 1 && index.getKeys().get(0).getKey().equals(field);
    }

    /**
     * Every query hands out copies. The H2 backend otherwise answers with the
     * very objects its map holds, and updates change them in place, while
     * answers are encoded after the collection's lock is released (and pages
     * are written to the file by other threads): a reader raced by a writer
     * saw half an update, or its connection was dropped on a
     * ConcurrentModificationException. With copies, a stored document is never
     * changed, only replaced whole, as in MongoDB.
     */
    @Override
    protected QueryResult createQueryResult(List<Document> matchedDocuments, int batchSize) {
        return super.createQueryResult(matchedDocuments.stream().map(Document::cloneDeeply).toList(), batchSize);
    }
}
