"""Reports made for an audience (the public, or one coalition): read as a reader who sees
only what both the asker and the audience may see (`security.policy.shared_reader`)."""
