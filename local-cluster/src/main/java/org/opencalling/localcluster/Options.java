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
                case "--port-offset" -> offset = number(args, ++i, "--port-offset", 0, 50000);
                case "--replicas" -> replicas = number(args, ++i, "--replicas", 1, 5);
                case "--help", "-h" -> help = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        return new Options(offset, replicas, help);
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
