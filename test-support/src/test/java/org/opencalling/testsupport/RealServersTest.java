package org.opencalling.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class RealServersTest {

    static String ping(int port) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        }
    }

    @Test
    void redisStartsStopsAndRestartsOnItsPort() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.startOnFreePort()) {
            assertEquals("+PONG", ping(redis.port()));
            redis.stop();
            assertFalse(redis.alive());
            redis.start();
            assertEquals("+PONG", ping(redis.port()));
            assertTrue(redis.url().endsWith(":" + redis.port()));
        }
    }

    @Test
    void kafkaBrokerCarriesRecordsAcrossAnOutage() throws Exception {
        try (KafkaBroker kafka = KafkaBroker.start()) {
            Properties p = new Properties();
            p.put("bootstrap.servers", kafka.bootstrapServers());
            p.put("key.serializer", StringSerializer.class.getName());
            p.put("value.serializer", StringSerializer.class.getName());
            p.put("acks", "all");
            p.put("enable.idempotence", "true");
            p.put("metadata.recovery.strategy", "none");
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
                producer.send(new ProducerRecord<>("t", "k", "before")).get();
                kafka.stopBroker();
                var pending = producer.send(new ProducerRecord<>("t", "k", "during"));
                kafka.startBroker();
                pending.get();
            }
            var records = kafka.read("t", 2, Duration.ofSeconds(30));
            assertEquals(2, records.size());
            assertEquals("before", records.get(0).value());
            assertEquals("during", records.get(1).value());
        }
    }
}
