// Runs before `npm start` and `npm test`, on whatever Node is installed: plain old JavaScript, so
// that an unsupported Node gets a sentence about what to install instead of a syntax error.
'use strict';

var SUPPORTED = 'Node 22 (22.12 or later) or Node 24; Node 20 (20.19 or later) still works';
var version = process.versions.node;
var parts = version.split('.').map(Number);
var major = parts[0];
var minor = parts[1];

var supported = (major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major === 24;

if (major > 24 && major % 2 === 0) {
  console.warn('DTAT-OCR: Node ' + version + ' is newer than the versions it is tested on (' + SUPPORTED + '); starting anyway.');
} else if (!supported) {
  console.error(
    'DTAT-OCR needs ' + SUPPORTED + ' (until its dependencies drop it); this is Node ' + version + '.\n' +
      'Install the current LTS, e.g. on Amazon Linux 2023: sudo dnf install nodejs22; on Ubuntu or Debian: ' +
      'the nodejs package of NodeSource or nvm (nvm install 22); then run npm ci again.',
  );
  process.exit(1);
}
