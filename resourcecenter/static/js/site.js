/* Progressive enhancement only; the site works without JavaScript. */
