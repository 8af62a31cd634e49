// The sign-in form of index.html, in plain HTML: on a 256 kbit/s, 600 ms link it is usable about a second after the
// address is typed, before React and the app's bundles arrive (they take a few seconds more). Inlined into index.html
// at build by the `hub:boot-sign-in` plugin of vite.config.ts, which fills BOOT with the words of the form in each
// language (from the app's catalogues) and the address of each language's catalogue chunk. The hub allows this
// script by its hash (Content-Security-Policy, serveWebApp in apps/hub/src/bootstrap.ts). A form sent before the app has arrived
// is sent here; the app's sign-in page takes the answer over (apps/web/src/auth/boot-sign-in.ts).
(function () {
  var BOOT = __BOOT__;
  var d = document;
  var get = function (key) {
    try {
      return localStorage.getItem(key);
    } catch (e) {
      return null;
    }
  };
  // The same choice as the app's (apps/web/src/i18n): this device's choice, then the browser's languages, then English.
  var pick = function () {
    var stored = get('hub.lang');
    if (BOOT.words[stored]) return stored;
    var wanted = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language];
    for (var i = 0; i < wanted.length; i++) {
      var l = String(wanted[i] || '').split('-')[0].toLowerCase();
      if (BOOT.words[l]) return l;
    }
    return 'en';
  };
  var preloaded = {};
  var modulepreload = function (href) {
    if (!href || preloaded[href]) return;
    preloaded[href] = true;
    var link = d.createElement('link');
    link.rel = 'modulepreload';
    link.crossOrigin = '';
    link.href = href;
    d.head.appendChild(link);
  };
  // Only the catalogue of the reader's language is fetched, alongside the entry (not one round trip after it).
  var preload = function (lang) {
    modulepreload(BOOT.catalogues[lang]);
  };
  // The app's stylesheet arrives without holding the first paint (media="print" in index.html): apply it once here.
  var sheets = d.querySelectorAll('link[data-boot-style]');
  for (var s = 0; s < sheets.length; s++) {
    (function (link) {
      var apply = function () {
        link.media = 'all';
      };
      if (link.sheet) apply();
      else link.addEventListener('load', apply);
    })(sheets[s]);
  }
  var lang = pick();
  d.documentElement.lang = lang;
  preload(lang);

  var path = location.pathname;
  // Another screen, or the home of someone signed in on this device (a refresh token): the app decides and the
  // loading note stays. /login shows the form in any case, as the app's own sign-in page does while it checks.
  if (path !== '/login' && (path !== '/' || get('hub.refresh'))) return;
  if (path === '/') history.replaceState(history.state, '', '/login' + location.search);

  var $ = function (id) {
    return d.getElementById(id);
  };
  var form = $('boot-form');
  var button = $('boot-submit');
  var choice = $('boot-lang');
  var label = function () {
    var w = BOOT.words[lang];
    d.title = w.title + ' — ' + w.name;
    $('boot-name').textContent = w.name;
    $('boot-tagline').textContent = w.tagline;
    $('boot-email-label').textContent = w.email;
    $('boot-password-label').textContent = w.password;
    form.setAttribute('aria-label', w.title);
    choice.setAttribute('aria-label', w.language);
    button.textContent = window.__hubLogin ? w.submitting : w.submit;
    $('boot-wait').textContent = window.__hubLogin ? w.wait : '';
  };
  choice.value = lang;
  choice.addEventListener('change', function () {
    lang = BOOT.words[choice.value] ? choice.value : 'en';
    try {
      localStorage.setItem('hub.lang', lang);
    } catch (e) {}
    d.documentElement.lang = lang;
    preload(lang);
    label();
  });
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    if (window.__hubLogin) return;
    var email = $('boot-email').value;
    var password = $('boot-password').value;
    var answer = fetch('/api/auth/login', {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: email, password: password }),
    }).then(
      function (res) {
        return res.text().then(function (text) {
          var body;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch (x) {}
          return { status: res.status, body: body };
        });
      },
      function () {
        return { status: 0, body: undefined };
      },
    );
    window.__hubLogin = { email: email, password: password, answer: answer };
    // The home screen comes next: its code travels with the entry instead of one round trip after the answer.
    for (var h = 0; h < BOOT.home.length; h++) modulepreload(BOOT.home[h]);
    button.disabled = true;
    label();
  });
  label();
  $('boot-loading').hidden = true;
  $('boot-login').hidden = false;
})();
