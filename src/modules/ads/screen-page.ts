/**
 * The screen player: one self-contained page (no external script, no
 * cookie, no storage) that a kiosk browser opens at
 * `/screen/{placementId}?key={screen key}`. It asks for the next advert,
 * shows it for its duration with the reason it was shown, reports that it
 * played, and asks again. It sends nothing about the people in front of it.
 */
export function screenPage(placementId: string): string {
  const id = JSON.stringify(placementId).replaceAll('<', '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Pertinent screen</title>
<style>
  html, body { margin: 0; height: 100%; font-family: system-ui, sans-serif; }
  body { display: flex; flex-direction: column; background: #111; color: #fff; }
  main { flex: 1; display: flex; flex-direction: column; justify-content: center; align-items: center; text-align: center; padding: 4vh 6vw; gap: 3vh; }
  h1 { font-size: 7vh; margin: 0; line-height: 1.1; }
  p { font-size: 3.5vh; margin: 0; max-width: 60ch; opacity: .9; }
  img { max-height: 40vh; max-width: 80vw; object-fit: contain; }
  footer { font-size: 2vh; padding: 1.5vh 3vw; background: rgba(0,0,0,.35); display: flex; gap: 2vw; flex-wrap: wrap; }
  footer span:empty { display: none; }
</style>
</head>
<body data-state="loading" data-shown="0">
<main><h1 id="headline">…</h1><p id="body"></p><img id="image" alt="" hidden></main>
<footer><span id="why"></span><span id="advertiser"></span><span id="personal"></span></footer>
<script>
(() => {
  const placementId = ${id};
  const key = new URLSearchParams(location.search).get('key') || '';
  const lang = (navigator.language || 'en').slice(0, 2);
  const $ = (x) => document.getElementById(x);
  const api = (path, body) => fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer ' + key },
    body: JSON.stringify(body),
    credentials: 'omit',
    referrerPolicy: 'no-referrer',
  });
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  let shown = 0;
  function render(d) {
    const c = d.advert || d.house || { headline: '' };
    $('headline').textContent = c.headline;
    $('body').textContent = c.body || '';
    if (c.imageUrl) { $('image').src = c.imageUrl; $('image').hidden = false; } else { $('image').hidden = true; $('image').removeAttribute('src'); }
    document.body.style.background = (d.advert && d.advert.background) || '#111';
    document.documentElement.lang = d.locale;
    $('why').textContent = d.explanation.text;
    $('advertiser').textContent = d.explanation.advertiser || '';
    $('personal').textContent = d.explanation.noPersonalData;
    document.body.dataset.state = d.kind;
    document.body.dataset.campaign = d.advert ? d.advert.campaignId : '';
    document.body.dataset.shown = String(++shown);
  }
  async function loop() {
    for (;;) {
      try {
        const res = await api('/v1/ads/decisions', { placementId, locale: lang });
        if (!res.ok) throw new Error('decision ' + res.status);
        const d = await res.json();
        render(d);
        await sleep(d.durationSeconds * 1000);
        if (d.playToken) await api('/v1/ads/plays', { playToken: d.playToken }).catch(() => {});
      } catch (e) {
        document.body.dataset.state = 'error';
        await sleep(5000);
      }
    }
  }
  loop();
})();
</script>
</body>
</html>
`;
}
