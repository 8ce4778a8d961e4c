// CPU seconds a process used, read from /proc: all its threads (ended ones included) and its main thread.
import { readFileSync } from 'node:fs';

export function cpuOf(pid) {
  const seconds = (path) => {
    const fields = readFileSync(path, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  };
  return { total: seconds(`/proc/${pid}/stat`), loop: seconds(`/proc/${pid}/task/${pid}/stat`) };
}
