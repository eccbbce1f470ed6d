package segue.database;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

import de.bwaldvogel.mongo.MongoServer;

/**
 * Runs the embedded database: a MongoDB wire-protocol server on one address,
 * its data in one file.
 *
 * <pre>java -jar segue-database.jar --listen 127.0.0.1:0 --file data/segue.mv.db [--cache-mb 32]</pre>
 *
 * Once listening it prints one JSON line, {"uri":"mongodb://…"}, on stdout.
 * It stops on SIGINT/SIGTERM and when its stdin closes, so it never outlives
 * the process that started it.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws IOException {
        Options options = Options.parse(args);
        Files.createDirectories(options.file().toAbsolutePath().getParent());

        DurableH2Backend backend = DurableH2Backend.open(options.file(), options.cacheMegabytes());
        MongoServer server = new MongoServer(backend);
        // one thread accepts, two serve: enough for a local service, and a small footprint
        server.bind(new InetSocketAddress(options.host(), options.port()), 1, 2);
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow, "shutdown"));

        InetSocketAddress address = server.getLocalAddress();
        System.out.println("{\"uri\":\"mongodb://" + address.getHostString() + ":" + address.getPort() + "/\"}");
        System.out.flush();

        exitWhenStdinCloses();
    }

    /** The parent holds our stdin open; end of input means it is gone. */
    private static void exitWhenStdinCloses() throws IOException {
        InputStream stdin = System.in;
        byte[] buffer = new byte[256];
        while (stdin.read(buffer) >= 0) {
            // nothing is ever sent; reading only waits for the end
        }
        System.exit(0);
    }

    record Options(String host, int port, Path file, int cacheMegabytes) {

        static Options parse(String[] args) {
            String listen = "127.0.0.1:0";
            String file = null;
            int cacheMegabytes = 32;
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--listen" -> listen = required(args[i], value);
                    case "--file" -> file = required(args[i], value);
                    case "--cache-mb" -> cacheMegabytes = Integer.parseInt(required(args[i], value));
                    default -> throw usage("unknown option " + args[i]);
                }
                i++;
            }
            if (file == null) {
                throw usage("--file is required");
            }
            int colon = listen.lastIndexOf(':');
            if (colon < 0) {
                throw usage("--listen takes host:port");
            }
            return new Options(listen.substring(0, colon), Integer.parseInt(listen.substring(colon + 1)), Path.of(file),
                cacheMegabytes);
        }

        private static String required(String option, String value) {
            if (value == null) {
                throw usage(option + " needs a value");
            }
            return value;
        }

        private static IllegalArgumentException usage(String problem) {
            return new IllegalArgumentException(
                problem + "; usage: --listen host:port --file path/segue.mv.db [--cache-mb 32]");
        }
    }
}
