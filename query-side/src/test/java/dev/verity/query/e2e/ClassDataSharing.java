package dev.verity.query.e2e;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Faster start-up for the apps the end-to-end tests launch, the way Spring Boot documents it
 * ("Class Data Sharing"): the executable jar is extracted once ({@code -Djarmode=tools extract},
 * plain jars on a class path instead of nested ones), the app is run once with
 * {@code -XX:ArchiveClassesAtExit} and {@code spring.context.exit=onRefresh}, which records every
 * class it loaded up to a refreshed context, and every later start maps them from that archive
 * ({@code -XX:SharedArchiveFile}) instead of reading, parsing and verifying them again. On a busy
 * 2-core machine class loading is most of a start-up.
 * <p>
 * The archive sits next to the jar (target/cds/) and is made again when the jar's content
 * changes. When anything in this fails, the app is started from its jar as before: slower, not broken.
 */
final class ClassDataSharing {

    /** Starts the app with these JVM arguments (archive and jar), logging to {@code log}, for the recording run. */
    interface Training {
        Process start(List<String> arguments, Path log) throws IOException;
    }

    private static final Duration EXTRACT_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration TRAINING_TIMEOUT = Duration.ofMinutes(4);
    private static final Map<Path, CompletableFuture<List<String>>> PREPARED = new ConcurrentHashMap<>();

    private ClassDataSharing() {
    }

    /** Prepares the jars side by side, so two apps' recording runs overlap. */
    static void prepare(List<String> options, Map<Path, Training> jars) {
        jars.entrySet().stream().map(jar -> prepared(jar.getKey(), options, jar.getValue())).toList()
            .forEach(CompletableFuture::join);
    }

    /** The JVM arguments that start {@code jar}: from the archive when there is one, else plain {@code -jar}. */
    static List<String> launchArguments(Path jar, List<String> options, Training training) {
        return prepared(jar, options, training).join();
    }

    private static CompletableFuture<List<String>> prepared(Path jar, List<String> options, Training training) {
        return PREPARED.computeIfAbsent(jar.toAbsolutePath().normalize(),
                                        key -> CompletableFuture.supplyAsync(() -> prepare(key, options, training)));
    }

    /** {@code options} are the JVM options of every start, recorded with the jar's digest: the archive is made under them. */
    private static List<String> prepare(Path jar, List<String> options, Training training) {
        String module = jar.getFileName().toString().replaceFirst("\\.jar$", "");
        Path directory = jar.resolveSibling("cds").resolve(module);
        Path extracted = directory.resolve("app.jar");
        Path archive = directory.resolve("app.jsa");
        Path stamp = directory.resolve("source.sha256");
        try {
            String digest = sha256(jar) + " " + String.join(" ", options);
            boolean current = Files.isRegularFile(stamp) && Files.readString(stamp).equals(digest)
                              && Files.isRegularFile(extracted) && Files.isRegularFile(archive);
            if (!current) {
                delete(directory);
                Files.createDirectories(directory);
                run(new ProcessBuilder(java(), "-Djarmode=tools", "-jar", jar.toString(), "extract", "--destination",
                                       directory.toString(), "--application-filename", "app.jar", "--force")
                            .redirectErrorStream(true)
                            .redirectOutput(directory.resolve("extract.log").toFile()).start(),
                    EXTRACT_TIMEOUT, "extracting " + jar);
                Path log = Path.of("target", "e2e-logs", module + "-cds-training.log");
                Files.createDirectories(log.getParent());
                run(training.start(List.of("-XX:ArchiveClassesAtExit=" + archive, "-Dspring.context.exit=onRefresh",
                                           "-jar", extracted.toString()), log),
                    TRAINING_TIMEOUT, "recording the classes of " + module + " (see " + log + ")");
                if (!Files.isRegularFile(archive)) {
                    throw new IOException("no archive written by the recording run of " + module);
                }
                Files.writeString(stamp, digest);
            }
            return List.of("-XX:SharedArchiveFile=" + archive, "-jar", extracted.toString());
        } catch (IOException | InterruptedException | RuntimeException e) {
            System.err.printf("Class data sharing unavailable for %s, starting it from its jar: %s%n", module, e);
            return List.of("-jar", jar.toString());
        }
    }

    private static void run(Process process, Duration timeout, String what) throws IOException, InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IOException(what + " took longer than " + timeout);
        }
        if (process.exitValue() != 0) {
            throw new IOException(what + " exited with " + process.exitValue());
        }
    }

    private static String sha256(Path file) throws IOException {
        try (DigestInputStream in = new DigestInputStream(Files.newInputStream(file),
                                                          MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(in.getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void delete(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
