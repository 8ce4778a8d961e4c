import { SingleBar, Presets } from 'cli-progress';

/** A progress bar on stderr for long work (quiet when stderr is not a terminal, e.g. in CI logs). */
export function progressBar(
  total: number,
  label: string,
): { update: (done: number) => void; stop: () => void } {
  if (!process.stderr.isTTY) {
    let lastPercent = -10;
    return {
      update: (done) => {
        const percent = Math.floor((done / Math.max(1, total)) * 100);
        if (percent >= lastPercent + 10) {
          lastPercent = percent;
          process.stderr.write(
            `${label}: ${percent}% (${done.toLocaleString('en-US')} of ~${total.toLocaleString('en-US')})\n`,
          );
        }
      },
      stop: () => {},
    };
  }
  const bar = new SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {value}/{total} events | {eta_formatted} left`,
      hideCursor: true,
      etaBuffer: 50,
    },
    Presets.shades_classic,
  );
  bar.start(total, 0);
  return { update: (done) => bar.update(Math.min(done, total)), stop: () => bar.stop() };
}
