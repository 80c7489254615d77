package org.opencalling.relay.sfu;

import java.util.concurrent.atomic.LongAdder;

/** The SFU's counters (exported as relay_sfu_* metrics). */
public final class SfuStats {
    public final LongAdder packetsIn = new LongAdder();
    public final LongAdder iceChecks = new LongAdder();
    /** Return-routability checks sent to an address a member asked to move to. */
    public final LongAdder iceProbes = new LongAdder();
    /** Members moved to a new address after answering a probe there. */
    public final LongAdder iceMoves = new LongAdder();
    public final LongAdder dtlsRecords = new LongAdder();
    public final LongAdder packetsForwarded = new LongAdder();
    public final LongAdder bytesForwarded = new LongAdder();
    public final LongAdder rtcpForwarded = new LongAdder();
    public final LongAdder keyframeRequests = new LongAdder();
    /** Bitrate feedback (REMB) sent to video senders, once a second each. */
    public final LongAdder rembSent = new LongAdder();
    /** Rooms that moved to another video codec for a joiner who could not use theirs. */
    public final LongAdder codecSwitches = new LongAdder();
    public final LongAdder nacksAnswered = new LongAdder();
    public final LongAdder nacksMissed = new LongAdder();
    public final LongAdder srtpFailures = new LongAdder();
    public final LongAdder dtlsFailures = new LongAdder();
    public final LongAdder iceFailures = new LongAdder();
    /** Datagrams from an address no participant has (ICE never checked it): dropped. */
    public final LongAdder unknownSource = new LongAdder();
    /** Media before the participant's keys exist, or of a payload type not offered: dropped. */
    public final LongAdder notReady = new LongAdder();
    public final LongAdder malformed = new LongAdder();
}
