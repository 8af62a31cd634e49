/**
 * Jest transform for NestJS 12's ES-module-only packages. Jest on Node 20 cannot require() ES modules, so their
 * files are compiled to CommonJS (import.meta.url becomes the file URL; import() becomes require()).
 */
const babel = require('@babel/core');
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');

const SELF = readFileSync(__filename, 'utf8');

module.exports = {
  getCacheKey(source, filename) {
    return createHash('sha256').update(SELF).update(filename).update(source).digest('hex');
  },
  process(source, filename) {
    // `const require = createRequire(import.meta.url)` would shadow CommonJS's own require after compilation.
    const code = source.replace(/^const require = createRequire\(import\.meta\.url\);$/m, '');
    const out = babel.transformSync(code, {
      filename,
      babelrc: false,
      configFile: false,
      sourceMaps: 'inline',
      plugins: ['babel-plugin-transform-import-meta', '@babel/plugin-transform-dynamic-import', '@babel/plugin-transform-export-namespace-from', ['@babel/plugin-transform-modules-commonjs', { importInterop: 'node' }]],
    });
    return { code: out.code };
  },
};
