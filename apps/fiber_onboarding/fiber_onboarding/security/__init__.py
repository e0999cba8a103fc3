"""Customer isolation at the framework's doors: the portal gate (deny by default for Guest and Website Users),
its allowlist, the non-revealing overrides of stock methods, the answers' headers and the site settings."""
