package org.opencalling.localcluster;

/**
 * Command-line options of the launcher. {@code allowedOrigins}: page origins allowed beside the
 * web client's; {@code kafka}: the bootstrap servers the services send their events to ("" = events off).
 */
public record Options(int portOffset, int replicas, String sfu, java.util.List<String> allowedOrigins, String kafka,
                      String relayHost, boolean help) {
    /** {@code --relay-host}'s default: this machine's own address (see {@link RelayHost}). */
    static final String AUTO = "auto";

    /** Tests stay on loopback unless they say otherwise ({@link #withRelayHost}). */
    Options(int portOffset, int replicas, String sfu, java.util.List<String> allowedOrigins, boolean help) {
        this(portOffset, replicas, sfu, allowedOrigins, "", "127.0.0.1", help);
    }

    Options(int portOffset, boolean help) {
        this(portOffset, 1, help);
    }

    public Options(int portOffset, int replicas, boolean help) {
        this(portOffset, replicas, "group", help);
    }

    Options(int portOffset, int replicas, String sfu, boolean help) {
        this(portOffset, replicas, sfu, java.util.List.of(), help);
    }

    /** These options with more allowed origins (an app on a dev server of its own, say). */
    Options allowing(String... origins) {
        java.util.List<String> all = new java.util.ArrayList<>(allowedOrigins);
        for (String o : origins) {
            all.add(origin(o));
        }
        return new Options(portOffset, replicas, sfu, java.util.List.copyOf(all), kafka, relayHost, help);
    }

    /** These options with the services' events going to this Kafka. */
    public Options withKafka(String bootstrapServers) {
        return new Options(portOffset, replicas, sfu, allowedOrigins, bootstrapServers, relayHost, help);
    }

    /** These options with the relay and the SFU bound to and advertised at this address. */
    public Options withRelayHost(String host) {
        return new Options(portOffset, replicas, sfu, allowedOrigins, kafka, host, help);
    }


    static final String USAGE = """
            Usage: ./run-local [--port-offset N] [--replicas N] [--sfu group|all|off] [--allowed-origin URL]...
                               [--kafka HOST:PORT] [--relay-host ADDRESS]

              Builds what is needed, then runs every part of OpenCalling on this machine in
              demo mode (demo credentials; never for production). Ctrl-C stops everything.

              --port-offset N   add N to every port (e.g. 10000: usersig-service on 18090)
              --replicas N      run N instances (1-5) of presence-service, media-relay and
                                signaling-service (instance k on its ports + 100*(k-1)); the web
                                client spreads browsers over the signaling instances, each SFU
                                room lives on one relay and moves if that relay dies
              --sfu MODE        which calls' media goes through the SFU (SIGNALING_SFU): group
                                (the default), all (1v1 calls too) or off (peer to peer always)
              --allowed-origin URL
                                let pages of this origin (e.g. http://localhost:5173, an app's
                                dev server) open the signaling socket too; repeatable
              --kafka HOST:PORT presence and call events go to this Kafka (its bootstrap servers);
                                without it the local run sends no events
              --relay-host ADDRESS
                                where the TURN relay and the SFU listen and what they advertise to
                                browsers. The default, auto, is this machine's own address (the one
                                its default route uses), which every browser accepts; 127.0.0.1
                                keeps them off the network, but Firefox ignores loopback candidates
                                (relay-only and group calls then fail there unless its pref
                                media.peerconnection.ice.loopback is true)
              --no-build        (./run-local only) skip the Maven build
              --help            this text
            """;

    static Options parse(String[] args) {
        int offset = 0;
        int replicas = 1;
        boolean help = false;
        String sfu = "group";
        String kafka = "";
        String relayHost = AUTO;
        java.util.List<String> origins = new java.util.ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port-offset" -> offset = number(args, ++i, "--port-offset", 0, 50000);
                case "--replicas" -> replicas = number(args, ++i, "--replicas", 1, 5);
                case "--sfu" -> {
                    sfu = ++i < args.length ? args[i] : "";
                    if (!java.util.Set.of("group", "all", "off").contains(sfu)) {
                        throw new IllegalArgumentException("--sfu must be group, all or off");
                    }
                }
                case "--allowed-origin" -> {
                    if (++i >= args.length) {
                        throw new IllegalArgumentException("--allowed-origin needs a URL such as http://localhost:5173");
                    }
                    origins.add(origin(args[i]));
                }
                case "--kafka" -> {
                    kafka = ++i < args.length ? args[i] : "";
                    if (!kafka.matches("[A-Za-z0-9.\\-]+:[0-9]{1,5}(,[A-Za-z0-9.\\-]+:[0-9]{1,5})*")) {
                        throw new IllegalArgumentException("--kafka needs bootstrap servers such as localhost:9092");
                    }
                }
                case "--relay-host" -> {
                    relayHost = ++i < args.length ? args[i] : "";
                    if (!relayHost.equals(AUTO) && !relayHost.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) {
                        throw new IllegalArgumentException("--relay-host needs an IPv4 address of this machine, or auto");
                    }
                }
                case "--help", "-h" -> help = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        return new Options(offset, replicas, sfu, java.util.List.copyOf(origins), kafka, relayHost, help);
    }

    /** A page origin as browsers send it: scheme, host and port, no path (a trailing slash is dropped). */
    static String origin(String url) {
        String o = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        if (!o.matches("https?://[A-Za-z0-9.\\-]+(:[0-9]{1,5})?|https?://\\[[0-9A-Fa-f:.]+\\](:[0-9]{1,5})?")) {
            throw new IllegalArgumentException("--allowed-origin must be an origin such as http://localhost:5173, got " + url);
        }
        return o;
    }

    /** The number after an option, within its bounds. */
    private static int number(String[] args, int i, String option, int min, int max) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a number");
        }
        int n;
        try {
            n = Integer.parseInt(args[i]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a number, got " + args[i]);
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(option + " must be between " + min + " and " + max);
        }
        return n;
    }
}
