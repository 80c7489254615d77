package org.opencalling.relay.sfu;

import java.util.LinkedHashMap;
import java.util.Map;

/** A group call's members on this SFU node. Changes happen under the room's lock. */
final class Room {
    final String id;
    final Map<String, Participant> members = new LinkedHashMap<>();
    /** A copy of the members for the packet path, replaced on every change. */
    volatile Participant[] snapshot = new Participant[0];
    /** Which member sends each SSRC (for feedback routing), replaced on every change. */
    volatile Map<Long, Participant> senders = Map.of();
    /** The one video codec every member sends and receives: the first member's preference. */
    volatile org.opencalling.relay.sfu.sdp.Codecs.Video video = org.opencalling.relay.sfu.sdp.Codecs.Video.VP8;

    Room(String id) {
        this.id = id;
    }

    /** Call with the room's lock held. */
    void refresh() {
        snapshot = members.values().toArray(new Participant[0]);
        Map<Long, Participant> s = new java.util.HashMap<>();
        for (Participant p : members.values()) {
            if (p.audioSsrc != 0) {
                s.put(p.audioSsrc, p);
            }
            if (p.videoSsrc != 0) {
                s.put(p.videoSsrc, p);
            }
        }
        senders = Map.copyOf(s);
        // What no member sends any more: its sent-packet caches and estimates go.
        for (Participant p : members.values()) {
            p.sent.keySet().retainAll(s.keySet());
            p.estimates.keySet().retainAll(s.keySet());
        }
    }
}
