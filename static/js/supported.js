// Runs first in <body>: lets GOV.UK Frontend know JavaScript and ES modules are available.
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
