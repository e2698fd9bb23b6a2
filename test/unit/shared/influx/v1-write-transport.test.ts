import type { SendOptions, Transport } from '@influxdata/influxdb-client';
import { describe, expect, it } from 'vitest';
import { V1WriteTransport, v1WritePath } from '../../../../services/shared/influx/v1-write-transport.js';

function recordingTransport() {
  const calls: { path: string; options: SendOptions }[] = [];
  const inner: Transport = {
    chunkCombiner: { concat: (a) => a, copy: (a) => a, toUtf8String: () => '' },
    send: (path, _body, options) => void calls.push({ path, options }),
    request: async (path, _body, options) => {
      calls.push({ path, options });
      return undefined;
    },
    iterate: (path, _body, options) => {
      calls.push({ path, options });
      return (async function* () {})();
    },
  };
  return { inner, calls };
}

describe('V1WriteTransport', () => {
  it('maps the v2 write path to /write with db, rp and 1.x precision names', () => {
    expect(v1WritePath('/api/v2/write?org=-&bucket=risk%2Fweek&precision=ms')).toBe(
      '/write?db=risk&rp=week&precision=ms',
    );
    expect(v1WritePath('/api/v2/write?bucket=risk&precision=ns')).toBe('/write?db=risk&precision=n');
    expect(v1WritePath('/api/v2/write?bucket=risk&precision=us&consistency=one')).toBe(
      '/write?db=risk&precision=u&consistency=one',
    );
    expect(v1WritePath('/ping')).toBeUndefined();
    expect(v1WritePath('/api/v2/query?org=x')).toBeUndefined();
  });

  it('rewrites writes, passes other paths through and adds Basic credentials', async () => {
    const { inner, calls } = recordingTransport();
    const t = new V1WriteTransport(inner, { username: 'u', password: 'p:w' });
    await t.request('/api/v2/write?bucket=risk&precision=ms', 'm x=1 1', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
    });
    t.send('/ping', '', { method: 'GET' });
    t.iterate('/query?q=x', '', { method: 'GET' });
    expect(calls.map((c) => c.path)).toEqual(['/write?db=risk&precision=ms', '/ping', '/query?q=x']);
    const auth = `Basic ${Buffer.from('u:p:w').toString('base64')}`;
    expect(calls[0]?.options.headers).toEqual({ 'content-type': 'text/plain', authorization: auth });
    expect(calls[1]?.options.headers).toEqual({ authorization: auth });
  });

  it('sends no credentials when no username is configured', async () => {
    const { inner, calls } = recordingTransport();
    await new V1WriteTransport(inner).request('/api/v2/write?bucket=r', '', { method: 'POST' });
    expect(calls[0]?.options).toEqual({ method: 'POST' });
    expect(new V1WriteTransport(inner).chunkCombiner).toBe(inner.chunkCombiner);
  });
});
