# Rule: prp-spo1 (OWL 2 RL; rdfs7) - a triple with a sub-property also holds for its super-properties.
# Why: e.g. allkg:subtypeOf implies skos:broader, every qualifier is also an allkg:qualifier.
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
INSERT { ?subject ?ancestor ?object }
WHERE { ?property rdfs:subPropertyOf ?ancestor . ?subject ?property ?object . FILTER (?property != ?ancestor) }
