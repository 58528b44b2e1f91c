import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { chooseAdapter, probeUws } from '../../../runtime/http/choose-adapter.ts';
import { parseAdapterSetting } from '../../../runtime/http/adapter-setting.ts';
import { brokenUwsPackage, officialLayoutUwsPackage, otherNodeUwsPackage, removePackage } from '../../helpers/uws-packages.ts';

describe('choosing the HTTP adapter', () => {
  const broken = brokenUwsPackage();
  const other = otherNodeUwsPackage();
  const official = officialLayoutUwsPackage();
  after(() => [broken, other, official].forEach(removePackage));

  test('should read HTTP_ADAPTER, defaulting to auto and refusing anything else', () => {
    assert.equal(parseAdapterSetting(undefined), 'auto');
    assert.equal(parseAdapterSetting(' NODE '), 'node');
    assert.equal(parseAdapterSetting('uws'), 'uws');
    assert.throws(() => parseAdapterSetting('express'), /HTTP_ADAPTER must be auto, uws or node/);
  });

  test('should name the loader error of a build that cannot load here', () => {
    const probe = probeUws(broken);
    assert.equal(probe.loaded, false);
    assert.match(!probe.loaded ? probe.reason : '', /broken-uws@1\.0\.0 cannot load uws_\w+_\w+_\d+\.node: .*(invalid ELF header|file too short)/);
  });

  test('should say which Node versions a package does have builds for', () => {
    const probe = probeUws(other);
    assert.match(!probe.loaded ? probe.reason : '', new RegExp(`has no build for Node ${process.versions.node} \\(ABI ${process.versions.modules}\\).*ABI 93 \\(Node 16\\), 108 \\(Node 18\\)`));
  });

  test('should say when the package is not installed at all', () => {
    const probe = probeUws('no-such-uws-package');
    assert.match(!probe.loaded ? probe.reason : '', /"no-such-uws-package" is not installed/);
  });

  test('should fall back to the node adapter under auto, and refuse under uws, with the reason', () => {
    const auto = chooseAdapter('auto', broken);
    assert.ok('adapter' in auto && auto.adapter === 'node');
    assert.match('adapter' in auto ? auto.reason : '', /uWebSockets.js cannot run here \(broken-uws/);
    const forced = chooseAdapter('uws', broken);
    assert.ok('refused' in forced);
    assert.match('refused' in forced ? forced.refused : '', /HTTP_ADAPTER=uws but uWebSockets.js cannot run here: broken-uws.*Unset HTTP_ADAPTER/);
    const node = chooseAdapter('node', broken);
    assert.ok('adapter' in node && node.adapter === 'node' && node.reason === 'HTTP_ADAPTER=node');
  });

  test('should load a native build laid out like the official package', { skip: official === null && `no native uWS build for Node ${process.versions.node} is installed` }, () => {
    const probe = probeUws(official!);
    assert.equal(probe.loaded, true, !probe.loaded ? probe.reason : '');
    const choice = chooseAdapter('auto', official!);
    assert.ok('adapter' in choice && choice.adapter === 'uws');
    assert.match(choice.reason, /official-layout-uws@1\.0\.0, uws_\w+\.node/);
  });

  test('should never take the installed package\'s JavaScript fallback for uWS', () => {
    const probe = probeUws('uWebSockets.js');
    if (probe.loaded) assert.equal(typeof (probe.native as unknown as { getParts?: unknown }).getParts, 'function', 'the native module');
    else assert.match(probe.reason, /has no build for Node|cannot load/);
  });
});
