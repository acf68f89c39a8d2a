package org.openparking.testing;

import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.yaml.snakeyaml.Yaml;

/**
 * Checks a service's OpenAPI document against the service: the routes its routing registers (recorded by
 * walking the Helidon registrations, services and nested services included) against the document's
 * operations, and the document against an independent validator ({@code tools/openapi}, swagger-parser on
 * node, installed with {@code npm ci} on first use). Routes are written {@code "GET /api/v1/lanes"}.
 */
public final class OpenApiCheck {
    private static final Set<String> METHODS = Set.of("get", "post", "put", "delete", "patch", "head", "options");

    private final Map<String, Object> doc;

    private OpenApiCheck(Map<String, Object> doc) {
        this.doc = doc;
    }

    public static OpenApiCheck load(Path yaml) {
        try {
            return new OpenApiCheck(new Yaml().load(Files.readString(yaml)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every operation of the document, but those marked {@code x-served-by} (a Helidon feature, not routing). */
    public Set<String> routedOperations() {
        return operations(false);
    }

    /** The operations marked {@code x-served-by}: served by a feature (observe), to be probed on a live server. */
    public Set<String> featureOperations() {
        return operations(true);
    }

    @SuppressWarnings("unchecked")
    private Set<String> operations(boolean feature) {
        Set<String> ops = new TreeSet<>();
        ((Map<String, Map<String, Object>>) doc.get("paths")).forEach((path, item) -> item.forEach((method, op) -> {
            if (METHODS.contains(method) && ((Map<String, Object>) op).containsKey("x-served-by") == feature) {
                ops.add(method.toUpperCase(Locale.ROOT) + " " + path);
            }
        }));
        return ops;
    }

    /** The enum of the {@code Error} schema's {@code error} property: the codes the document promises. */
    @SuppressWarnings("unchecked")
    public Set<String> errorCodes() {
        Map<String, Object> components = (Map<String, Object>) doc.get("components");
        Map<String, Object> schemas = (Map<String, Object>) components.get("schemas");
        Map<String, Object> error = (Map<String, Object>) ((Map<String, Object>) schemas.get("Error")).get("properties");
        return new TreeSet<>((List<String>) ((Map<String, Object>) error.get("error")).get("enum"));
    }

    /**
     * The error codes written in the Java sources under {@code roots}: every capture group of every match of
     * {@code emitters} (patterns of the calls that answer with a code, e.g. {@code HttpErrors.send(res, s, "X"}).
     */
    public static Set<String> codesIn(List<Path> roots, List<java.util.regex.Pattern> emitters) {
        Set<String> codes = new TreeSet<>();
        for (Path root : roots) {
            try (java.util.stream.Stream<Path> files = Files.walk(root)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    String text = Files.readString(f);
                    for (java.util.regex.Pattern p : emitters) {
                        java.util.regex.Matcher m = p.matcher(text);
                        while (m.find()) {
                            for (int g = 1; g <= m.groupCount(); g++) {
                                if (m.group(g) != null) {
                                    codes.add(m.group(g));
                                }
                            }
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return codes;
    }

    /**
     * The routes {@code routing} registers, with their full paths. Handlers registered without a path
     * ({@code any(handler)}, filters) guard others and are not routes; a registration this recorder cannot
     * read fails, so a new kind of registration cannot slip past the check.
     */
    public static Set<String> registeredRoutes(Consumer<HttpRouting.Builder> routing) {
        Set<String> routes = new TreeSet<>();
        routing.accept((HttpRouting.Builder) recorder(routes, ""));
        return routes;
    }

    private static Object recorder(Set<String> routes, String prefix) {
        InvocationHandler handler = new InvocationHandler() {
            @Override
            public Object invoke(Object proxy, Method method, Object[] args) {
                String name = method.getName();
                Object[] a = args == null ? new Object[0] : args;
                if (name.equals("register")) {
                    String base = a.length > 0 && a[0] instanceof String p ? prefix + p : prefix;
                    for (Object arg : a) {
                        for (HttpService s : services(arg)) {
                            s.routing((HttpRules) recorder(routes, base));
                        }
                    }
                } else if (METHODS.contains(name) || name.equals("any")) {
                    if (a.length > 0 && a[0] instanceof String path) {
                        routes.add(name.toUpperCase(Locale.ROOT) + " " + join(prefix, path));
                    }
                } else if (name.equals("route")) {
                    if (a.length == 3 && a[0] instanceof io.helidon.http.Method m && a[1] instanceof String path) {
                        routes.add(m.text() + " " + join(prefix, path));
                    } else if (a.length == 3 && a[1] instanceof io.helidon.http.PathMatcher matcher
                            && matcher.toString().equals("any path")) {
                        // Static content: every path under the prefix, written /{+path} like Helidon's templates.
                        for (io.helidon.http.Method m : accepted(a[0])) {
                            routes.add(m.text() + " " + join(prefix, "/{+path}"));
                        }
                    } else {
                        throw new UnsupportedOperationException("cannot read route(" + List.of(a) + ")");
                    }
                } else if (!method.getReturnType().isAssignableFrom(HttpRouting.Builder.class)) {
                    throw new UnsupportedOperationException("the route recorder does not know " + method);
                }
                return proxy; // filters, error handlers, security: not routes
            }
        };
        return Proxy.newProxyInstance(HttpRouting.Builder.class.getClassLoader(),
                new Class<?>[] {HttpRouting.Builder.class}, handler);
    }

    /** The methods a route's method or method predicate accepts (HEAD goes with GET and is not listed). */
    @SuppressWarnings("unchecked")
    private static List<io.helidon.http.Method> accepted(Object methods) {
        List<io.helidon.http.Method> all = List.of(io.helidon.http.Method.GET, io.helidon.http.Method.POST,
                io.helidon.http.Method.PUT, io.helidon.http.Method.DELETE, io.helidon.http.Method.PATCH);
        if (methods instanceof io.helidon.http.Method m) {
            return List.of(m);
        }
        java.util.function.Predicate<io.helidon.http.Method> p = (java.util.function.Predicate<io.helidon.http.Method>) methods;
        return all.stream().filter(p).toList();
    }

    private static List<HttpService> services(Object arg) {
        List<HttpService> out = new ArrayList<>();
        if (arg instanceof HttpService s) {
            out.add(s);
        } else if (arg instanceof HttpService[] array) {
            out.addAll(List.of(array));
        } else if (arg instanceof Supplier<?> supplier) {
            out.add((HttpService) supplier.get());
        } else if (arg instanceof List<?> list) {
            list.forEach(x -> out.addAll(services(x)));
        }
        return out;
    }

    private static String join(String prefix, String path) {
        String full = prefix + (path.startsWith("/") || path.isEmpty() ? path : "/" + path);
        return full.isEmpty() ? "/" : full;
    }

    /**
     * Validates the documents with {@code tools/openapi/validate.mjs}; returns its output, throws with it when a
     * document is invalid. Installs the validator from its package-lock.json when node_modules is missing.
     */
    public static String validate(Path... documents) {
        Path tools = toolsDir();
        if (!Files.isDirectory(tools.resolve("node_modules/@apidevtools/swagger-parser"))) {
            run(tools, List.of("npm", "ci", "--no-audit", "--no-fund"), "npm ci in " + tools);
        }
        List<String> command = new ArrayList<>(List.of("node", tools.resolve("validate.mjs").toString()));
        for (Path d : documents) {
            command.add(d.toAbsolutePath().toString());
        }
        return run(tools, command, "the OpenAPI validator");
    }

    private static Path toolsDir() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve("tools/openapi/package.json"))) {
                return dir.resolve("tools/openapi");
            }
        }
        throw new IllegalStateException("no tools/openapi above " + Path.of("").toAbsolutePath());
    }

    private static String run(Path dir, List<String> command, String what) {
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError(what + " did not finish in 5 minutes");
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new AssertionError(what + " failed (exit " + p.exitValue() + "):\n" + text);
            }
            return text;
        } catch (IOException e) {
            throw new AssertionError(what + " could not run (" + command.getFirst() + " on PATH? node 20): " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(what + " interrupted", e);
        }
    }
}
