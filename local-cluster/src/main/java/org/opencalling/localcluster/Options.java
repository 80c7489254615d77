package org.opencalling.localcluster;

/** Command-line options of the launcher. */
record Options(int portOffset, int replicas, boolean help) {
    Options(int portOffset, boolean help) {
        this(portOffset, 1, help);
    }


    static final String USAGE = """
            Usage: ./run-local [--port-offset N] [--replicas N]

              Builds what is needed, then runs every part of OpenCalling on this machine in
              demo mode (demo credentials; never for production). Ctrl-C stops everything.

              --port-offset N   add N to every port (e.g. 10000: usersig-service on 18090)
              --replicas N      run N instances (1-5) of presence-service and signaling-service
                                (instance k on its port + 100*(k-1)); the web client spreads
                                browsers over the signaling instances
              --no-build        (./run-local only) skip the Maven build
              --help            this text
            """;

    static Options parse(String[] args) {
        int offset = 0;
        int replicas = 1;
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port-offset" -> {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException("--port-offset needs a number");
                    }
                    try {
                        offset = Integer.parseInt(args[++i]);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--port-offset needs a number, got " + args[i]);
                    }
                    if (offset < 0 || offset > 50000) {
                        throw new IllegalArgumentException("--port-offset must be between 0 and 50000");
                    }
                }
                case "--replicas" -> {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException("--replicas needs a number");
                    }
                    try {
                        replicas = Integer.parseInt(args[++i]);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--replicas needs a number, got " + args[i]);
                    }
                    if (replicas < 1 || replicas > 5) {
                        throw new IllegalArgumentException("--replicas must be between 1 and 5");
                    }
                }
                case "--help", "-h" -> help = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        return new Options(offset, replicas, help);
    }
}
