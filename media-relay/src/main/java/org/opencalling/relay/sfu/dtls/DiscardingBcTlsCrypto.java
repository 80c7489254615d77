package org.opencalling.relay.sfu.dtls;

import java.io.IOException;
import java.security.SecureRandom;

import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.crypto.TlsCipher;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.TlsDecodeResult;
import org.bouncycastle.tls.crypto.TlsEncodeResult;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * {@link BcTlsCrypto} whose record ciphers report every undecodable record as bad_record_mac.
 *
 * <p>RFC 6347 4.1.2.7: DTLS silently discards invalid records (bad length, MAC, padding). bctls's
 * DTLS record layer discards a record only when the cipher says bad_record_mac; a protected
 * record too short for the cipher (decode_error) or not a whole number of CBC blocks
 * (decryption_failed) instead fails the whole session, so one spoofed 20-byte datagram could end
 * a participant's call. Mapping those to bad_record_mac makes them discarded too.
 */
final class DiscardingBcTlsCrypto extends BcTlsCrypto {

    DiscardingBcTlsCrypto(SecureRandom random) {
        super(random);
    }

    @Override
    public TlsCipher createCipher(TlsCryptoParameters cryptoParams, int encryptionAlgorithm, int macAlgorithm)
            throws IOException {
        return new DiscardingCipher(super.createCipher(cryptoParams, encryptionAlgorithm, macAlgorithm));
    }

    private static final class DiscardingCipher implements TlsCipher {
        private final TlsCipher cipher;

        DiscardingCipher(TlsCipher cipher) {
            this.cipher = cipher;
        }

        @Override
        public TlsDecodeResult decodeCiphertext(long seqNo, short recordType, ProtocolVersion recordVersion,
                byte[] ciphertext, int offset, int len) throws IOException {
            try {
                return cipher.decodeCiphertext(seqNo, recordType, recordVersion, ciphertext, offset, len);
            } catch (TlsFatalAlert e) {
                if (e.getAlertDescription() == AlertDescription.bad_record_mac) {
                    throw e;
                }
                throw new TlsFatalAlert(AlertDescription.bad_record_mac, e);
            } catch (RuntimeException e) {
                throw new TlsFatalAlert(AlertDescription.bad_record_mac, e);
            }
        }

        @Override
        public TlsEncodeResult encodePlaintext(long seqNo, short contentType, ProtocolVersion recordVersion,
                int headerAllocation, byte[] plaintext, int offset, int len) throws IOException {
            return cipher.encodePlaintext(seqNo, contentType, recordVersion, headerAllocation, plaintext, offset, len);
        }

        @Override
        public int getCiphertextDecodeLimit(int plaintextLimit) {
            return cipher.getCiphertextDecodeLimit(plaintextLimit);
        }

        @Override
        public int getCiphertextEncodeLimit(int plaintextLimit) {
            return cipher.getCiphertextEncodeLimit(plaintextLimit);
        }

        @Override
        public int getPlaintextDecodeLimit(int ciphertextLimit) {
            return cipher.getPlaintextDecodeLimit(ciphertextLimit);
        }

        @Override
        public int getPlaintextEncodeLimit(int ciphertextLimit) {
            return cipher.getPlaintextEncodeLimit(ciphertextLimit);
        }

        @Override
        public void rekeyDecoder() throws IOException {
            cipher.rekeyDecoder();
        }

        @Override
        public void rekeyEncoder() throws IOException {
            cipher.rekeyEncoder();
        }

        @Override
        public boolean usesOpaqueRecordTypeDecode() {
            return cipher.usesOpaqueRecordTypeDecode();
        }

        @Override
        public boolean usesOpaqueRecordTypeEncode() {
            return cipher.usesOpaqueRecordTypeEncode();
        }
    }
}
