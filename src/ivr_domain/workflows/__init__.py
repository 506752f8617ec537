"""Where contexts meet: translations and processes that need more than one context's model."""
