package org.opencalling.localcluster;

/** Command-line options of the launcher. */
record Options(int portOffset, boolean help) {

    static final String USAGE = """
            Usage: ./run-local [--port-offset N]

              Builds what is needed, then runs every part of OpenCalling on this machine in
              demo mode (demo credentials; never for production). Ctrl-C stops everything.

              --port-offset N   add N to every port (e.g. 10000: usersig-service on 18090)
              --no-build        (./run-local only) skip the Maven build
              --help            this text
            """;

    static Options parse(String[] args) {
        int offset = 0;
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
                case "--help", "-h" -> help = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        return new Options(offset, help);
    }
}
