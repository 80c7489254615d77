package org.opencalling.relay.allocation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class AllocationsTest {
    static final long T = 1_000_000;
    static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 3478);

    static FiveTuple tuple(int clientPort) {
        return new FiveTuple(new InetSocketAddress("127.0.0.1", clientPort), SERVER, FiveTuple.Transport.UDP);
    }

    Allocations allocations(int perUser, int total, int ports) {
        return new Allocations(Allocations.Limits.standard(perUser, total), new PortPool(50000, 50000 + ports - 1));
    }

    @Test
    void lifetimesFollowRfc8656() {
        Allocations a = allocations(5, 10, 10);
        assertEquals(600_000, a.lifetime(-1), "none asked: the default, 10 min");
        assertEquals(600_000, a.lifetime(60), "less than the default: the default");
        assertEquals(1_800_000, a.lifetime(1800));
        assertEquals(3_600_000, a.lifetime(86_400), "capped at 1 h");
        Allocation x = a.create(tuple(1), "u", 1200, T).allocation();
        assertEquals(T + 1_200_000, x.expiresAt());
        assertEquals(600_000, a.refresh(x, -1, T + 10));
        assertEquals(T + 10 + 600_000, x.expiresAt());
        assertEquals(0, a.refresh(x, 0, T + 20), "0 deletes");
        assertNull(a.get(tuple(1), T + 20));
        assertEquals(0, a.size());
    }

    @Test
    void oneAllocationPerFiveTupleAndQuotas() {
        Allocations a = allocations(2, 3, 10);
        assertTrue(a.create(tuple(1), "alice", -1, T).ok());
        Allocations.Created again = a.create(tuple(1), "alice", -1, T);
        assertEquals(437, again.errorCode(), "the same 5-tuple");
        assertTrue(a.create(tuple(2), "alice", -1, T).ok());
        assertEquals(486, a.create(tuple(3), "alice", -1, T).errorCode(), "alice's quota");
        assertTrue(a.create(tuple(4), "bob", -1, T).ok());
        assertEquals(486, a.create(tuple(5), "carol", -1, T).errorCode(), "the total quota");
        assertTrue(a.remove(a.get(tuple(1), T), Allocations.End.ADMIN));
        assertEquals(1, a.ended(Allocations.End.ADMIN));
        assertTrue(a.create(tuple(5), "carol", -1, T).ok(), "room again");
        assertEquals(486, a.create(tuple(6), "dave", -1, T).errorCode(), "full again");
    }

    @Test
    void aUsersQuotaIsPerApplicationWhateverTheExpiry() {
        Allocations a = allocations(2, 10, 10);
        // Every login mints a new username (a new expiry) for the same user: one quota.
        assertTrue(a.create(tuple(1), "1700000600:1400000000:alice", -1, T).ok());
        assertTrue(a.create(tuple(2), "1700000900:1400000000:alice", -1, T).ok());
        assertEquals(486, a.create(tuple(3), "1700001200:1400000000:alice", -1, T).errorCode(), "alice's quota");
        // The same userID in another application is another user, with a quota of its own.
        assertTrue(a.create(tuple(4), "1700000600:1400000001:alice", -1, T).ok(), "another application's alice");
        assertEquals("1400000001:alice", Allocations.quotaKey("1700000600:1400000001:alice"));
        assertEquals("alice", Allocations.quotaKey("1700000600:alice"), "a username without an application");
    }

    @Test
    void portsRunOutWith508AndComeBackOnExpiry() {
        Allocations a = allocations(10, 10, 2);
        Allocation x = a.create(tuple(1), "u", -1, T).allocation();
        Allocation y = a.create(tuple(2), "u", -1, T).allocation();
        assertNotEquals(x.relayPort(), y.relayPort());
        assertEquals(508, a.create(tuple(3), "u", -1, T).errorCode());
        List<Allocation> gone = a.expire(T + 600_000);
        assertEquals(2, gone.size());
        assertTrue(a.create(tuple(3), "u", -1, T + 600_000).ok());
    }

    @Test
    void permissionsAreByIpAndExpire() throws Exception {
        Allocation x = allocations(1, 1, 1).create(tuple(1), "u", -1, T).allocation();
        InetAddress peer = InetAddress.getByName("203.0.113.9");
        assertFalse(x.permits(peer, T));
        x.permit(peer, T + 300_000);
        assertTrue(x.permits(peer, T + 299_999), "any port of that IP");
        assertFalse(x.permits(peer, T + 300_000), "expired after 5 min");
        assertFalse(x.permits(InetAddress.getByName("203.0.113.10"), T));
        x.prune(T + 300_000);
        assertEquals(0, x.permissionCount());
    }

    @Test
    void channelBindingsBothWaysWithTheirConflicts() {
        Allocation x = allocations(1, 1, 1).create(tuple(1), "u", -1, T).allocation();
        InetSocketAddress p1 = new InetSocketAddress("203.0.113.9", 4000);
        InetSocketAddress p2 = new InetSocketAddress("203.0.113.9", 4001);
        assertNull(x.bindRefusal(0x4000, p1, T));
        x.bind(0x4000, p1, T + 600_000, T + 300_000);
        assertEquals(p1, x.peerOf(0x4000, T));
        assertEquals(0x4000, x.channelOf(p1, T));
        assertTrue(x.permits(p1.getAddress(), T), "a binding installs the permission");
        assertNull(x.bindRefusal(0x4000, p1, T), "refreshing the same binding");
        assertEquals("channel bound to another peer", x.bindRefusal(0x4000, p2, T));
        assertEquals("peer bound to another channel", x.bindRefusal(0x4001, p1, T));
        assertEquals(-1, x.channelOf(p1, T + 600_000), "expired after 10 min");
        assertNull(x.bindRefusal(0x4000, p2, T + 600_000), "then the number is free again");
        x.bind(0x4000, p2, T + 1_200_000, T + 900_000);
        assertEquals(p2, x.peerOf(0x4000, T + 600_001));
        assertEquals(-1, x.channelOf(p1, T + 600_001));
    }

    @Test
    void thePortPoolHandsOutRoundRobin() {
        PortPool p = new PortPool(40000, 40002);
        assertEquals(40000, p.take());
        assertEquals(40001, p.take());
        p.release(40000);
        assertEquals(40002, p.take(), "a released port is not reused at once");
        assertEquals(40000, p.take());
        assertEquals(-1, p.take());
        assertEquals(3, p.inUse());
        assertFalse(p.take(40001));
        p.release(40001);
        assertTrue(p.take(40001));
    }

    @Test
    void aReservedPortCountsTowardsTheTotalUntilItIsUsedOrExpires() {
        Allocations a = allocations(5, 2, 10);
        Allocations.PortRequest evenAndNext = new Allocations.PortRequest(true, true, null);
        assertEquals(486, allocations(5, 1, 10).create(tuple(1), "alice", -1, evenAndNext, null, T).errorCode(),
                "an allocation and a reservation need room for two");
        Allocations.Created first = a.create(tuple(1), "alice", -1, evenAndNext, null, T);
        assertTrue(first.ok());
        assertEquals(486, a.create(tuple(2), "bob", -1, T).errorCode(), "an allocation and a reservation: full");
        assertTrue(a.create(tuple(3), "alice", -1, new Allocations.PortRequest(false, false, first.reservationToken()),
                null, T).ok(), "the token is redeemed (it was counted already)");
        a.remove(a.get(tuple(1), T), Allocations.End.DELETED);
        a.remove(a.get(tuple(3), T), Allocations.End.DELETED);
        assertTrue(a.create(tuple(4), "carol", -1, evenAndNext, null, T).ok());
        assertEquals(486, a.create(tuple(5), "dave", -1, T + 29_000).errorCode());
        a.expire(T + 30_000);
        assertTrue(a.create(tuple(5), "dave", -1, T + 30_000).ok(), "an expired reservation frees its place");
    }

    @Test
    void aRelayedPortHeldByAnotherProcessIsSkippedAndGoesBackToThePool() {
        PortPool pool = new PortPool(50000, 50099);
        Allocations a = new Allocations(Allocations.Limits.standard(5, 10), pool);
        java.util.Set<Integer> heldElsewhere = new java.util.HashSet<>(java.util.Set.of(50000, 50001, 50002));
        a.listener(new Allocations.Listener() {
            @Override
            public boolean opened(Allocation x) {
                return !heldElsewhere.contains(x.relayPort());
            }

            @Override
            public void closed(Allocation x) {
            }
        });
        Allocations.Created c = a.create(tuple(1), "alice", -1, T);
        assertTrue(c.ok());
        assertEquals(50003, c.allocation().relayPort());
        assertEquals(3, a.busyPorts());
        assertEquals(1, pool.inUse(), "the busy ports went back to the pool");
        for (int p = 50004; p < 50100; p++) {
            heldElsewhere.add(p);
        }
        assertEquals(508, a.create(tuple(2), "bob", -1, T).errorCode(), "every port held: 508, after a bounded search");
        assertEquals(3 + Allocations.MAX_PORT_ATTEMPTS, a.busyPorts());
        assertEquals(1, pool.inUse());
    }

    @Test
    void aReservedPortCountsAgainstItsUserSoReservationsCannotFillTheRelay() {
        Allocations a = allocations(2, 100, 20);
        Allocations.PortRequest evenAndNext = new Allocations.PortRequest(true, true, null);
        assertTrue(a.create(tuple(1), "mallory", -1, evenAndNext, null, T).ok());
        assertEquals(486, a.create(tuple(2), "mallory", -1, T).errorCode(), "an allocation and a reservation: her two");
        a.remove(a.get(tuple(1), T), Allocations.End.DELETED);
        assertEquals(486, a.create(tuple(3), "mallory", -1, evenAndNext, null, T).errorCode(),
                "the reservation still counts after its allocation is deleted");
        assertTrue(a.create(tuple(3), "mallory", -1, T).ok(), "one plain allocation still fits");
        a.expire(T + 30_000);
        assertTrue(a.create(tuple(4), "mallory", -1, T + 30_000).ok(), "the reservation expired: room again");
    }

    @Test
    void aRelayedPortGoesBackToThePoolOnlyWhenItsSocketHasLetItGo() {
        PortPool pool = new PortPool(50000, 50009);
        Allocations a = new Allocations(Allocations.Limits.standard(5, 10), pool);
        java.util.List<Runnable> pending = new java.util.ArrayList<>();
        a.listener(new Allocations.Listener() {
            @Override
            public boolean opened(Allocation x) {
                return true;
            }

            @Override
            public void closed(Allocation x) {
            }

            @Override
            public void closed(Allocation x, Runnable release) {
                pending.add(release); // another event loop will close the socket later
            }
        });
        Allocation first = a.create(tuple(1), "alice", -1, T).allocation();
        assertTrue(a.remove(first, Allocations.End.ADMIN));
        assertEquals(0, a.size());
        assertEquals(1, pool.inUse(), "the port stays taken until its socket is gone");
        pending.get(0).run();
        pending.get(0).run(); // once only
        assertEquals(0, pool.inUse());
    }
}
