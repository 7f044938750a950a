"""Ballots: the frozen electorate, one ballot per agent per amendment, results and receipts."""
