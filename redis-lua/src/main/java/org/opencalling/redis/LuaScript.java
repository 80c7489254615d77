package org.opencalling.redis;

import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.mutiny.redis.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A Lua script run with EVALSHA; when Redis does not know it (first use, or after a restart
 * emptied its script cache) it is sent once with EVAL, which also caches it there.
 */
public final class LuaScript {
    private final String name;
    private final String source;
    private final String sha;

    /** The script at {@code /lua/<resource>} on the classpath. */
    public LuaScript(String resource) {
        this.name = resource;
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
            loader = LuaScript.class.getClassLoader();
        }
        try (InputStream in = loader.getResourceAsStream("lua/" + resource)) {
            if (in == null) {
                throw new IllegalStateException("missing script " + resource);
            }
            this.source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            this.sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public Response run(RedisDataSource redis, List<String> keys, List<String> args) {
        try {
            return redis.execute("EVALSHA", argv(sha, keys, args));
        } catch (RuntimeException e) {
            if (String.valueOf(e.getMessage()).contains("NOSCRIPT")) {
                return redis.execute("EVAL", argv(source, keys, args));
            }
            throw e;
        }
    }

    /** The same, without blocking a thread: for endpoints that run on the event loop. */
    public io.smallrye.mutiny.Uni<Response> runAsync(io.quarkus.redis.datasource.ReactiveRedisDataSource redis,
                                              List<String> keys, List<String> args) {
        return redis.execute("EVALSHA", argv(sha, keys, args))
                .onFailure(e -> String.valueOf(e.getMessage()).contains("NOSCRIPT"))
                .recoverWithUni(() -> redis.execute("EVAL", argv(source, keys, args)));
    }

    private static String[] argv(String first, List<String> keys, List<String> args) {
        List<String> a = new ArrayList<>(2 + keys.size() + args.size());
        a.add(first);
        a.add(Integer.toString(keys.size()));
        a.addAll(keys);
        a.addAll(args);
        return a.toArray(String[]::new);
    }

    @Override
    public String toString() {
        return name;
    }
}
