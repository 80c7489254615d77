package org.opencalling.bench;

import com.tencentyun.TLSSigAPIv2;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.opencalling.usersig.AppKey;
import org.opencalling.usersig.Applications;
import org.opencalling.usersig.UserSigCodec;
import org.opencalling.usersig.UserSigVerifier;
import org.opencalling.usersig.Verification;

/**
 * UserSig generation and verification, ours against Tencent's reference genUserSig, in one run.
 * Same app, key, user and validity for all; throughput in operations per millisecond.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
public class UserSigBenchmark {
    static final long APP = 1400000001L;
    static final String SECRET = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";
    static final String USER = "user_0123456789";
    static final long EXPIRE = 86400L * 180;

    TLSSigAPIv2 tencent;
    AppKey key;
    UserSigVerifier verifier;
    String tencentSig;
    long now;

    @Setup
    public void setup() {
        tencent = new TLSSigAPIv2(APP, SECRET);
        Applications apps = Applications.parse(Map.of("bench", APP + ":" + SECRET));
        key = apps.find(APP);
        verifier = new UserSigVerifier(apps);
        tencentSig = tencent.genUserSig(USER, EXPIRE);
        now = System.currentTimeMillis() / 1000;
        if (!verifier.verify(APP, USER, tencentSig, now).valid()) {
            throw new IllegalStateException("setup: reference ticket does not verify");
        }
    }

    @Benchmark
    public String tencentGenerate() {
        return tencent.genUserSig(USER, EXPIRE);
    }

    @Benchmark
    public String ourGenerate() {
        // The clock is read per call, as the reference does.
        return UserSigCodec.issue(key, USER, EXPIRE, System.currentTimeMillis() / 1000, null);
    }

    @Benchmark
    public Verification ourVerify() {
        return verifier.verify(APP, USER, tencentSig, System.currentTimeMillis() / 1000);
    }
}
