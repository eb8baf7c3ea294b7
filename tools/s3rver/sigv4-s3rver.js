#!/usr/bin/env node
// s3rver 3.7.1 for the test suite, with AWS Signature V4 checked.
//
// s3rver itself checks only V2 signatures: for a V4 `Authorization` header it looks the access
// key id up and then accepts the request whatever the signature (lib/middleware/authentication.js:
// "Signature version 4 calculation is unimplemeneted"; `allowMismatchedSignatures` only relaxes
// the V2 check). So a valid key id with a wrong secret key would be accepted, and a wrong secret
// could not be tested. This wrapper puts a middleware in front of s3rver's routes that computes
// the V4 signature of each request as S3 does (canonical request, string to sign, derived signing
// key; the payload hash is taken from x-amz-content-sha256 as sent) with the secret of the key id
// (S3RVER / S3RVER) and answers 403 SignatureDoesNotMatch when it differs.
//
// s3rver 3.7.1 also answers AbortMultipartUpload (DELETE <key>?uploadId=) with 405; the wrapper
// implements it as S3 does: the upload's parts are removed and nothing appears under the key.
// For the tests of a failed upload, UploadPart of part 2 of a key that contains "fail-on-part-2"
// answers 500 InternalError.
//
// Usage: node sigv4-s3rver.js <data-dir> <port> <bucket>
'use strict';

const { createHash, createHmac } = require('crypto');
const fs = require('fs');
const path = require('path');
const S3rver = require('s3rver');
const AWSAccount = require('s3rver/lib/models/account');
const S3Error = require('s3rver/lib/models/error');

const [dir, port, bucket] = process.argv.slice(2);

// RFC 3986 percent-encoding of everything but the unreserved characters, as S3 canonicalizes.
function encode(s) {
  return encodeURIComponent(s).replace(/[!'()*]/g, c => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}
function decode(s) {
  return decodeURIComponent(s.replace(/\+/g, '%20'));
}

function canonicalQuery(raw) {
  if (!raw) return '';
  return raw
    .split('&')
    .filter(p => p.length > 0)
    .map(p => {
      const eq = p.indexOf('=');
      const k = eq < 0 ? p : p.slice(0, eq);
      const v = eq < 0 ? '' : p.slice(eq + 1);
      return [encode(decode(k)), encode(decode(v))];
    })
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => k + '=' + v)
    .join('&');
}

function hmac(key, text) {
  return createHmac('sha256', key).update(text, 'utf8').digest();
}

async function verifyV4(ctx, next) {
  const auth = ctx.get('authorization');
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
  if (!auth || !m) return next();  // unsigned or malformed: s3rver's own checks answer
  const [, keyId, date, region, service, signedHeaders, signature] = m;
  const account = AWSAccount.registry.get(keyId);
  if (!account) return next();  // s3rver answers InvalidAccessKeyId
  const secret = account.accessKeys.get(keyId);

  const url = ctx.req.url;
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const canonicalUri = path.split('/').map(seg => encode(decode(seg))).join('/');
  const headers = signedHeaders.split(';');
  const canonicalHeaders = headers
    .map(h => h + ':' + String(ctx.req.headers[h] ?? '').trim().replace(/ +/g, ' ') + '\n')
    .join('');
  const canonicalRequest = [
    ctx.req.method,
    canonicalUri,
    canonicalQuery(q < 0 ? '' : url.slice(q + 1)),
    canonicalHeaders,
    signedHeaders,
    ctx.get('x-amz-content-sha256'),
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    ctx.get('x-amz-date'),
    scope,
    createHash('sha256').update(canonicalRequest, 'utf8').digest('hex'),
  ].join('\n');
  let key = hmac('AWS4' + secret, date);
  for (const part of [region, service, 'aws4_request']) key = hmac(key, part);
  const expected = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  if (expected !== signature) {
    throw new S3Error(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      { AWSAccessKeyId: keyId, CanonicalRequest: canonicalRequest },
    );
  }
  return next();
}

// Where s3rver keeps the parts of the bucket's multipart uploads, one folder per upload id.
function uploadsDir(bucketName) {
  return server.store.getResourcePath(bucketName, undefined, 'uploads');
}

async function abortMultipartUpload(ctx, next) {
  const m = /^\/([^/?]+)\/[^?]+\?(?:.*&)?uploadId=([0-9a-f]+)(?:&|$)/.exec(ctx.req.url);
  if (ctx.req.method !== 'DELETE' || !m) return next();
  const dir = path.join(uploadsDir(m[1]), m[2]);
  if (!fs.existsSync(dir)) throw new S3Error('NoSuchUpload', 'The specified upload does not exist.');
  fs.rmSync(dir, { recursive: true, force: true });
  ctx.status = 204;
}

async function failPart2(ctx, next) {
  if (ctx.req.method === 'PUT' && ctx.req.url.includes('fail-on-part-2') && /[?&]partNumber=2(&|$)/.test(ctx.req.url)) {
    throw new S3Error('InternalError', 'We encountered an internal error. Please try again.');
  }
  return next();
}

const server = new S3rver({
  directory: dir,
  address: '127.0.0.1',
  port: Number(port),
  silent: true,
  configureBuckets: [{ name: bucket, configs: [] }],
});
// After the logger and the XML body encoder, before the routes (Koa composes on listen).
server.middleware.splice(2, 0, verifyV4, abortMultipartUpload, failPart2);
server.run().then(
  ({ address, port: p }) => console.log('S3rver (SigV4 checked) listening on %s:%d', address, p),
  err => {
    console.error(err);
    process.exit(1);
  },
);
