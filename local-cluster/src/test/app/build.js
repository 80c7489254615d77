// Bundles src/app.js into dist/app.js with webpack's API (no webpack-cli needed).
const path = require('path');
const webpack = require('webpack');

webpack({
  mode: 'production',
  entry: './src/app.js',
  output: { path: path.resolve(__dirname, 'dist'), filename: 'app.js' },
  devtool: 'source-map',
}, (err, stats) => {
  if (err || stats.hasErrors()) {
    console.error(err || stats.toString('errors-only'));
    process.exit(1);
  }
  console.log(stats.toString({ colors: false, modules: false, assets: true }));
});
