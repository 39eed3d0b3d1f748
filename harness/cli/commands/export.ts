import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { dirname, resolve, basename, join } from 'node:path';
import * as msg from '../../messages.js';
import { displayPath } from '../../paths.js';
import { exportTable, type ExportFormat, type ExportTable } from '../../store/export.js';
import { Store } from '../../store/store.js';
import { println } from '../io.js';
import { options, text } from '../options.js';
import type { Command } from './command.js';

export const exportCommand: Command = {
  name: 'export',
  command: 'export <db>',
  describe: 'Write a table of a results database as CSV or JSON, in a fixed order',
  builder: (y) =>
    y
      .positional('db', { type: 'string', describe: 'Results database' })
      .options({ ...options('format', 'table', 'out'), out: { type: 'string', describe: 'File to write [default: stdout]' } }),
  async run(args, io) {
    const format = String(args['format']) as ExportFormat;
    const table = String(args['table']) as ExportTable;
    const outPath = text('out', args['out']);
    const store = Store.open(resolve(io.cwd, String(args['db'])), 'read', io.cwd);
    try {
      if (!outPath) {
        const stdout = new Writable({
          write(chunk: Buffer, _encoding, done) {
            io.stdout.write(chunk.toString());
            done();
          },
        });
        await exportTable(store, table, format, stdout);
        return 0;
      }
      const target = resolve(io.cwd, outPath);
      const temp = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
      const file = createWriteStream(temp);
      try {
        const rows = await exportTable(store, table, format, file);
        file.end();
        await once(file, 'finish');
        await rename(temp, target);
        println(io.stderr, msg.exportWritten(rows, table, displayPath(target, io.cwd)));
      } catch (thrown) {
        file.destroy();
        await rm(temp, { force: true });
        throw thrown;
      }
      return 0;
    } finally {
      store.close();
    }
  },
};
