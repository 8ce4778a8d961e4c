import { resolve } from 'node:path';
import type { Command } from 'commander';
import { keyFingerprint, readEncryptionKeyFile, writeNewKeyFile } from '../../encryption/key-file.js';
import type { KeyRef, RewriteResult } from '../../encryption/store-maintenance.js';
import { storeEncryptionMaintenance } from '../../storage/open-storage.js';
import { configOf, currentKey, say } from '../offline-store.js';
import { progressBar } from '../progress.js';
import { print } from '../table.js';

type Json = { json?: boolean };

function keyRef(path: string, label: string): KeyRef & { fingerprint: string } {
  const file = resolve(path);
  const { bytes, groupOrWorldReadable } = readEncryptionKeyFile(file, label);
  if (groupOrWorldReadable) say(`warning: ${file} is readable by group or others; chmod 600 it`);
  return { bytes, source: `${label} ${file}`, fingerprint: keyFingerprint(bytes) };
}

function report(result: RewriteResult, json: boolean, done: string): void {
  print(json, result, () =>
    [
      done,
      ...result.tables.map((t) => `  ${t.name}: ${t.rows.toLocaleString('en-US')} rows`),
      `${result.rows.toLocaleString('en-US')} rows in ${result.seconds.toFixed(1)} s (crypto: ${result.crypto})`,
    ].join('\n'),
  );
}

/** `pulse encryption keygen|status|rotate|encrypt` (docs/encryption.md). Offline verbs. */
export function registerEncryption(program: Command): void {
  const encryption = program
    .command('encryption')
    .description('Encryption at rest of the data dir: keys, status, rotation (docs/encryption.md)');

  encryption
    .command('keygen')
    .description('Write a fresh random 256-bit key (hex, mode 0600); never overwrites a file')
    .option('--out <file>', 'where to write it', 'pulse-encryption.key')
    .option('--json', 'machine output')
    .action((options: { out: string } & Json) => {
      const file = resolve(options.out);
      const { fingerprint } = writeNewKeyFile(file);
      print(Boolean(options.json), { file, fingerprint }, () =>
        [
          `wrote a new 256-bit key to ${file} (mode 0600), fingerprint ${fingerprint}`,
          'Keep it out of the data dir and its backups, and back it up separately: without it the data cannot be read.',
          'Use it with PULSE_ENCRYPTION_KEY_FILE (new store), `pulse encryption encrypt --key-file` or `pulse encryption rotate --new-key-file`.',
        ].join('\n'),
      );
    });

  encryption
    .command('status')
    .description(
      'Whether the store is encrypted, its cipher, and the configured key fingerprint (never the key)',
    )
    .option('--json', 'machine output')
    .action(async (options: Json, command: Command) => {
      const config = configOf(command);
      const key = currentKey(config);
      const status = await storeEncryptionMaintenance(config).status(key);
      const value = {
        ...status,
        keyFile: config.encryptionKeyFile ? resolve(config.encryptionKeyFile) : null,
        keyFingerprint: key?.fingerprint ?? null,
        unsafeMbedtlsAllowed: config.encryptionAllowUnsafeMbedtls,
        extensionDir: config.duckdbExtensionDir ?? null,
      };
      print(Boolean(options.json), value, () =>
        [
          `store:           ${status.file}${status.exists ? '' : ' (does not exist yet)'}`,
          `encrypted:       ${status.encrypted === null ? 'unknown' : status.encrypted ? 'yes' : 'NO (plaintext)'}`,
          `cipher:          ${status.cipher ?? (status.encrypted ? 'unknown without the key' : '-')}`,
          `key file:        ${value.keyFile ?? 'not set (PULSE_ENCRYPTION_KEY_FILE)'}`,
          `key fingerprint: ${value.keyFingerprint ?? '-'}`,
          `key opens store: ${status.inUse ? 'not checked: a running server holds the file' : status.keyOpens === null ? '-' : status.keyOpens ? 'yes' : 'NO (wrong key)'}`,
          `unsafe mbedtls:  ${config.encryptionAllowUnsafeMbedtls ? 'allowed (PULSE_ENCRYPTION_ALLOW_UNSAFE_MBEDTLS)' : 'not allowed'}`,
        ].join('\n'),
      );
    });

  encryption
    .command('rotate')
    .description('Offline: re-encrypt the store under a new key, verify every table, swap atomically')
    .requiredOption('--new-key-file <file>', 'the new key (from `pulse encryption keygen`)')
    .option('--json', 'machine output')
    .action(async (options: { newKeyFile: string } & Json, command: Command) => {
      const config = configOf(command);
      const from = currentKey(config);
      if (!from)
        throw new Error(
          'PULSE_ENCRYPTION_KEY_FILE is not set: rotate needs the current key. For a plaintext store use `pulse encryption encrypt --key-file <file>`',
        );
      const to = keyRef(options.newKeyFile, '--new-key-file');
      say(`rotating from key ${from.fingerprint} to key ${to.fingerprint}`);
      const result = await storeEncryptionMaintenance(config).rewrite({
        from,
        to,
        keepSuffix: '.pre-rotate',
        say,
        progress: progressBar,
      });
      report(
        result,
        Boolean(options.json),
        `rotated: the store is now encrypted under ${resolve(options.newKeyFile)} (fingerprint ${to.fingerprint}); the old key no longer opens it.\nNext: set PULSE_ENCRYPTION_KEY_FILE=${resolve(options.newKeyFile)} before starting Pulse.`,
      );
    });

  encryption
    .command('encrypt')
    .description(
      'Offline: turn a plaintext store into one encrypted with AES-256-GCM, verified, swapped atomically',
    )
    .option('--key-file <file>', 'the key (default PULSE_ENCRYPTION_KEY_FILE)')
    .option('--json', 'machine output')
    .action(async (options: { keyFile?: string } & Json, command: Command) => {
      const config = configOf(command);
      const path = options.keyFile ?? config.encryptionKeyFile;
      if (!path) throw new Error('--key-file is required (or set PULSE_ENCRYPTION_KEY_FILE)');
      const to = keyRef(path, options.keyFile ? '--key-file' : 'PULSE_ENCRYPTION_KEY_FILE');
      say(`encrypting the store under key ${to.fingerprint}`);
      const result = await storeEncryptionMaintenance(config).rewrite({
        from: null,
        to,
        keepSuffix: '.pre-encrypt',
        say,
        progress: progressBar,
      });
      report(
        result,
        Boolean(options.json),
        `encrypted: the store is now encrypted under ${resolve(path)} (fingerprint ${to.fingerprint}); the plaintext file was deleted (its disk blocks are not wiped; see docs/encryption.md).\nNext: set PULSE_ENCRYPTION_KEY_FILE=${resolve(path)} before starting Pulse.`,
      );
    });
}
