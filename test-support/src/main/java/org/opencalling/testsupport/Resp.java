package org.opencalling.testsupport;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal Redis (RESP2) client for tests and benchmarks: commands, pipelines, INFO figures. An
 * error reply is an IOException. Not for the services, which use Quarkus' client.
 */
public final class Resp implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    public Resp(int port) throws IOException {
        this(port, Duration.ZERO);
    }

    /** {@code readTimeout}: how long a reply may take (zero: forever, as BLPOP needs). */
    public Resp(int port, Duration readTimeout) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        socket.setSoTimeout((int) readTimeout.toMillis());
        out = socket.getOutputStream();
        in = new BufferedInputStream(socket.getInputStream());
    }

    public Object call(String... args) throws IOException {
        send(args);
        out.flush();
        return read();
    }

    /** Sends many commands, then reads all replies: one round trip. */
    public void pipeline(List<String[]> commands) throws IOException {
        for (String[] c : commands) {
            send(c);
        }
        out.flush();
        for (int i = 0; i < commands.size(); i++) {
            read();
        }
    }

    private void send(String... args) throws IOException {
        StringBuilder b = new StringBuilder().append('*').append(args.length).append("\r\n");
        for (String a : args) {
            byte[] bytes = a.getBytes(StandardCharsets.UTF_8);
            b.append('$').append(bytes.length).append("\r\n").append(a).append("\r\n");
        }
        out.write(b.toString().getBytes(StandardCharsets.UTF_8));
    }

    private Object read() throws IOException {
        int type = in.read();
        String line = line();
        switch (type) {
            case '+':
                return line;
            case '-':
                throw new IOException("Redis: " + line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return null;
                }
                byte[] b = in.readNBytes(n + 2);
                return new String(b, 0, n, StandardCharsets.UTF_8);
            }
            case '*': {
                int n = Integer.parseInt(line);
                List<Object> list = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    list.add(read());
                }
                return list;
            }
            default:
                throw new IOException("bad reply type " + type);
        }
    }

    private String line() throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) {
                throw new IOException("closed");
            }
            b.append((char) c);
        }
        in.read(); // \n
        return b.toString();
    }

    /** {calls, usec} of one command from INFO commandstats, e.g. "evalsha". */
    public long[] commandStats(String command) throws IOException {
        String info = (String) call("INFO", "commandstats");
        for (String l : info.split("\r\n")) {
            if (l.startsWith("cmdstat_" + command + ":")) {
                long calls = Long.parseLong(l.replaceAll("^[^:]+:calls=(\\d+),.*", "$1"));
                long usec = Long.parseLong(l.replaceAll("^[^:]+:calls=\\d+,usec=(\\d+),.*", "$1"));
                return new long[] {calls, usec};
            }
        }
        return new long[] {0, 0};
    }

    /** Total commands processed and Redis CPU seconds (user + sys) so far. */
    public double[] totals() throws IOException {
        String stats = (String) call("INFO", "stats");
        String cpu = (String) call("INFO", "cpu");
        long commands = Long.parseLong(stats.replaceAll("(?s).*total_commands_processed:(\\d+).*", "$1"));
        double user = Double.parseDouble(cpu.replaceAll("(?s).*used_cpu_user:([0-9.]+).*", "$1"));
        double sys = Double.parseDouble(cpu.replaceAll("(?s).*used_cpu_sys:([0-9.]+).*", "$1"));
        return new double[] {commands, user + sys};
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
