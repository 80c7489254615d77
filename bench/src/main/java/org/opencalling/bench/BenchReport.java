package org.opencalling.bench;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs the benchmarks (JMH command-line options are passed through, e.g. {@code -f 1 -wi 2})
 * and prints the ratios the targets are stated in, from figures measured in this same run.
 */
public final class BenchReport {
    private BenchReport() {
    }

    public static void main(String[] args) throws Exception {
        CommandLineOptions cli = new CommandLineOptions(args);
        Options opts = new OptionsBuilder().parent(cli)
                .include(cli.getIncludes().isEmpty() ? UserSigBenchmark.class.getSimpleName() : cli.getIncludes().get(0))
                .build();
        Collection<RunResult> results = new Runner(opts).run();
        Map<String, Double> score = new HashMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            score.put(name.substring(name.lastIndexOf('.') + 1), r.getPrimaryResult().getScore());
        }
        Double ours = score.get("ourGenerate");
        Double theirs = score.get("tencentGenerate");
        Double verify = score.get("ourVerify");
        System.out.printf("%nMachine: %s cores, %s %s, Java %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name"), System.getProperty("os.arch"), System.getProperty("java.version"));
        if (ours != null && theirs != null) {
            System.out.printf("generation: ours %.1f ops/ms, Tencent's genUserSig %.1f ops/ms -> %.2fx (target >= 2x)%n",
                    ours, theirs, ours / theirs);
        }
        if (ours != null && verify != null) {
            System.out.printf("verification cost / generation cost: %.2f (target <= 1.5; verify %.1f ops/ms)%n",
                    ours / verify, verify);
        }
    }
}
