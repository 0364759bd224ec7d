// The pages load in a real browser from the local server, with every asset from the package and
// no error in the console.
import { expect } from 'chai';
import { browserTests } from './harness.js';

browserTests('web pages in Chromium', (suite) => {
  it('the landing page links to the simulator and the courier client, and both load without errors', async () => {
    const page = await suite.newPage();
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    // Each page is left only once nothing is loading (its favicon included): leaving earlier aborts
    // the request, which the harness would count as an error of the page.
    await page.goto(suite.server().url, { waitUntil: 'networkidle' });
    const links = await page.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(links).to.include.members(['sim/', 'courier/']);
    for (const link of ['sim/', 'courier/']) {
      await page.goto(suite.server().url + link, { waitUntil: 'networkidle' });
    }
    expect(page.errors()).to.deep.equal([]);
    expect(
      requested.every((url) => url.startsWith(suite.server().url)),
      requested.join('\n'),
    ).to.equal(true);
  });
});
