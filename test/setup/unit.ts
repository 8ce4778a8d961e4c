import guardTmpdir from './tmp-guard.js';

/** Unit tests need nothing built; they are held to cleaning up their temporary files. */
export default function setup(): () => void {
  return guardTmpdir();
}
