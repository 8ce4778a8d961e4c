/** What a person starting `pulse serve` in a terminal wants to know first (the JSON log stays on stdout). */
export function startBanner(options: {
  url: string;
  adminKeyFile: string | null;
  demoLogin: { email: string; password: string } | null;
}): string {
  const lines = [`Pulse is running at ${options.url}`, `  dashboard   ${options.url}/`];
  if (options.demoLogin)
    lines.push(`  sign in     ${options.demoLogin.email} / ${options.demoLogin.password}  (demo)`);
  if (options.adminKeyFile) lines.push(`  admin key   ${options.adminKeyFile}  (for the API and the CLI)`);
  lines.push('  stop        Ctrl+C (finishes what was acknowledged, then exits)');
  return `\n${lines.join('\n')}\n\n`;
}
