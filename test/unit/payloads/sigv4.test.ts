/**
 * SigV4 against AWS's published examples: the Signature Version 4 test suite
 * (AWS General Reference; credentials AKIDEXAMPLE, 2015-08-30T12:36:00Z,
 * us-east-1, service "service") and the S3 API Reference page "Signature
 * Calculations for the Authorization Header: Transferring Payload in a Single
 * Chunk" (examplebucket, 2013-05-24, us-east-1).
 */
import { describe, expect, it } from 'vitest';
import { signRequest, type SigV4Credentials } from '../../../src/payloads';
import { EMPTY_SHA256, sha256Hex, signingKey } from '../../../src/payloads/sigv4';

const suite = {
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' } satisfies SigV4Credentials,
  region: 'us-east-1',
  service: 'service',
  now: new Date('2015-08-30T12:36:00Z'),
};

const s3 = {
  credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' } satisfies SigV4Credentials,
  region: 'us-east-1',
  service: 's3',
  now: new Date('2013-05-24T00:00:00Z'),
};

describe('the Signature Version 4 test suite', () => {
  it('get-vanilla: signs GET / with the published signature and Authorization header', () => {
    const signed = signRequest({ ...suite, method: 'GET', url: 'https://example.amazonaws.com/' });
    expect(sha256Hex(signed.canonicalRequest)).toBe('bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63');
    expect(signed.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, ' +
        'Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    );
  });

  it('get-vanilla-query-order-key-case: sorts query parameters by name', () => {
    const signed = signRequest({ ...suite, method: 'GET', url: 'https://example.amazonaws.com/?Param2=value2&Param1=value1' });
    expect(signed.signature).toBe('b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500');
  });

  it('post-vanilla: signs POST / with the published signature', () => {
    expect(signRequest({ ...suite, method: 'POST', url: 'https://example.amazonaws.com/' }).signature).toBe('5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b');
  });
});

describe("S3's documented examples", () => {
  it('GET Object: the first ten bytes of test.txt, with the published string to sign and signature', () => {
    const signed = signRequest({ ...s3, method: 'GET', url: 'https://examplebucket.s3.amazonaws.com/test.txt', headers: { Range: 'bytes=0-9' } });
    expect(signed.canonicalRequest).toBe(
      [
        'GET',
        '/test.txt',
        '',
        'host:examplebucket.s3.amazonaws.com',
        'range:bytes=0-9',
        `x-amz-content-sha256:${EMPTY_SHA256}`,
        'x-amz-date:20130524T000000Z',
        '',
        'host;range;x-amz-content-sha256;x-amz-date',
        EMPTY_SHA256,
      ].join('\n'),
    );
    expect(signed.stringToSign).toBe('AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972');
    expect(signed.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, ' +
        'Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
  });

  it('PUT Object: encodes "$" in the key and signs the body hash and extra headers', () => {
    const body = 'Welcome to Amazon S3.';
    const signed = signRequest({
      ...s3,
      method: 'PUT',
      url: 'https://examplebucket.s3.amazonaws.com/test$file.text',
      headers: { Date: 'Fri, 24 May 2013 00:00:00 GMT', 'x-amz-storage-class': 'REDUCED_REDUNDANCY' },
      payloadSha256: sha256Hex(body),
    });
    expect(sha256Hex(body)).toBe('44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072');
    expect(sha256Hex(signed.canonicalRequest)).toBe('9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d');
    expect(signed.signedHeaders).toBe('date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class');
    expect(signed.signature).toBe('98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd');
  });

  it('GET Bucket Lifecycle: a parameter without a value signs as "lifecycle="', () => {
    const signed = signRequest({ ...s3, method: 'GET', url: 'https://examplebucket.s3.amazonaws.com/?lifecycle' });
    expect(sha256Hex(signed.canonicalRequest)).toBe('9766c798316ff2757b517bc739a67f6213b4ab36dd5da2f94eaebf79c77395ca');
    expect(signed.signature).toBe('fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543');
  });

  it('Get Bucket (List Objects): sorts max-keys before prefix', () => {
    const signed = signRequest({ ...s3, method: 'GET', url: 'https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J' });
    expect(signed.signature).toBe('34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7');
  });
});

describe('the signing key', () => {
  it('derives the key of the AWS example "derive a signing key" (iam, 20120215)', () => {
    expect(signingKey('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20120215', 'us-east-1', 'iam').toString('hex')).toBe(
      'f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d',
    );
  });

  it('sends and signs a session token for temporary credentials', () => {
    const signed = signRequest({ ...s3, credentials: { ...s3.credentials, sessionToken: 'TOKEN' }, method: 'GET', url: 'https://examplebucket.s3.amazonaws.com/k' });
    expect(signed.headers['x-amz-security-token']).toBe('TOKEN');
    expect(signed.signedHeaders).toContain('x-amz-security-token');
  });
});
