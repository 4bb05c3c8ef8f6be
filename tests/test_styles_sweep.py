"""Independent style sweep of the reference-entry parser and the reference-list finder.

Every entry here was written by hand (not with bench/make_eval.py's templates) from the
facts of a work in fixtures/records (PubMed XML, Crossref JSON), in the citation styles
health articles use: Vancouver/NLM, AMA 11, APA 7, Harvard, Chicago (author-date and
notes-bibliography), MLA 9, IEEE, Nature, Cell, BMJ/Lancet, Wikipedia's cite journal and
blog hybrids. The articles in fixtures/articles/styles/ put such entries in numbered,
bracketed, bulleted, HTML and unmarked lists, wrapped over lines and followed by footer
junk; end to end, every real work must come out verified and each one-detail-wrong
version mismatched naming the wrong field.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from citeaudit.cli import app
from citeaudit.extract import extract_references
from citeaudit.extract.classify import classify
from citeaudit.extract.entry import parse_entry
from citeaudit.ingest.document import document_from_text, load_document

STYLES = Path(__file__).resolve().parents[1] / "fixtures/articles/styles"
runner = CliRunner()

D_PRIME = "10.1037/amp0000660"
ENTRIES = [
    # --- Vancouver / NLM (PubMed "Cite" format and ICMJE variants)
    ("vanc-epub-pmid", "Prime H, Wade M, Browne DT. Risk and resilience in family well-being during the COVID-19 pandemic. "
     "Am Psychol. 2020 Jul-Aug;75(5):631-643. doi: 10.1037/amp0000660. Epub 2020 May 21. PMID: 32437181.",
     dict(first="Prime", year=2020, title="Risk and resilience in family well-being during the COVID-19 pandemic",
          journal="Am Psychol", volume="75", issue="5", pages="631-643", doi=D_PRIME, pmid="32437181")),
    ("vanc-etal-pmcid", "Dong X, Song X, Ding S, Yu M, Shang X, Wang K, et al. Tumor-educated platelet SNORD55 as a potential "
     "biomarker for the early diagnosis of non-small cell lung cancer. Thorac Cancer. 2021 Mar;12(5):659-666. "
     "doi: 10.1111/1759-7714.13823. Epub 2021 Jan 21. PMID: 33474827; PMCID: PMC7919130.",
     dict(first="Dong", year=2021, title="Tumor-educated platelet SNORD55 as a potential biomarker for the early diagnosis of non-small cell lung cancer",
          journal="Thorac Cancer", volume="12", issue="5", pages="659-666", doi="10.1111/1759-7714.13823", pmid="33474827",
          pmcid="PMC7919130", et_al=True)),
    ("vanc-no-ids", "Brown TR. The London patient. AIDS Res Hum Retroviruses. 2020 Apr;36(4):251-252. Epub 2020 Mar 31.",
     dict(first="Brown", year=2020, title="The London patient", journal="AIDS Res Hum Retroviruses", volume="36",
          issue="4", pages="251-252")),
    ("vanc-internet", "VanDyck TJ, Pinsky MR. Hemodynamic monitoring in cardiogenic shock. Curr Opin Crit Care [Internet]. "
     "2021 Aug 1 [cited 2024 Mar 3];27(4):454-9. Available from: https://pubmed.ncbi.nlm.nih.gov/33967209/",
     dict(first="VanDyck", year=2021, title="Hemodynamic monitoring in cardiogenic shock", journal="Curr Opin Crit Care",
          volume="27", issue="4", pages="454-9", pmid="33967209")),
    ("vanc-compound-surname", "Cabrera Garcia J, Sakari CM, Roederer IU, Evans DW, Silva P, Mateo M, et al. Abundances of "
     "neutron-capture elements in 62 stars in the globular cluster Messier 15. Astrophys J. 2024 Jun 1;967(2):101.",
     dict(first="Cabrera Garcia", year=2024, title="Abundances of neutron-capture elements in 62 stars in the globular cluster Messier 15",
          journal="Astrophys J", volume="967", issue="2", pages="101")),
    ("vanc-nonascii-no-pages", "Bruserud Ø, Arnes K, Kjørsvik CR, Brekke RL, Almeland SK, Guttormsen AB, et al. Patients over 75 "
     "years admitted to the National Burn Centre, Haukeland University Hospital, 2000-19. Tidsskr Nor Laegeforen. "
     "2023 Mar 28;143(5). doi: 10.4045/tidsskr.22.0358",
     dict(first="Bruserud", year=2023, title="Patients over 75 years admitted to the National Burn Centre, Haukeland University Hospital, 2000-19",
          journal="Tidsskr Nor Laegeforen", volume="143", issue="5", doi="10.4045/tidsskr.22.0358")),
    ("vanc-no-issue-short-pages", "Oliver ECJ, Benthuysen JA, Darmaraki S, Donat MG, Hobday AJ, Holbrook NJ, et al. Marine "
     "heatwaves. Ann Rev Mar Sci. 2021;13:313-42.",
     dict(first="Oliver", year=2021, title="Marine heatwaves", journal="Ann Rev Mar Sci", volume="13", pages="313-42")),
    ("vanc-particle", "Adamantidis AR, de Lecea L. Sleep and the hypothalamus. Science. 2023 Oct 27;382(6669):405-412. "
     "doi: 10.1126/science.adh8285. Epub 2023 Oct 26. PMID: 37883555.",
     dict(first="Adamantidis", year=2023, title="Sleep and the hypothalamus", journal="Science", volume="382",
          issue="6669", pages="405-412", doi="10.1126/science.adh8285", pmid="37883555")),
    # --- AMA 11
    ("ama-doi", "Park YS, Konge L, Artino AR. The positivism paradigm of research. Acad Med. 2020;95(5):690-694. "
     "doi:10.1097/ACM.0000000000003093",
     dict(first="Park", year=2020, title="The positivism paradigm of research", journal="Acad Med", volume="95",
          issue="5", pages="690-694", doi="10.1097/acm.0000000000003093")),
    ("ama-etal", "Mahal JJ, Bijur P, Sloma A, et al. Addressing system and clinician barriers to emergency department-initiated "
     "buprenorphine: an evaluation of post-intervention physician outcomes. West J Emerg Med. 2024;25(3):303-311. "
     "doi:10.5811/westjem.18320",
     dict(first="Mahal", year=2024, title="Addressing system and clinician barriers to emergency department-initiated "
          "buprenorphine: an evaluation of post-intervention physician outcomes", journal="West J Emerg Med",
          volume="25", issue="3", pages="303-311", doi="10.5811/westjem.18320", et_al=True)),
    ("ama-supplement-page", "Borrell LN, Erwin PC, Fiala S. COVID-19, racism, and public health infrastructure. "
     "Am J Public Health. 2021;111(S3):S172.",
     dict(first="Borrell", year=2021, title="COVID-19, racism, and public health infrastructure", journal="Am J Public Health",
          volume="111", issue="S3", pages="S172")),
    # --- APA 7
    ("apa-doi-url", "Prime, H., Wade, M., & Browne, D. T. (2020). Risk and resilience in family well-being during the COVID-19 "
     "pandemic. American Psychologist, 75(5), 631–643. https://doi.org/10.1037/amp0000660",
     dict(first="Prime", year=2020, title="Risk and resilience in family well-being during the COVID-19 pandemic",
          journal="American Psychologist", volume="75", issue="5", pages="631-643", doi=D_PRIME)),
    ("apa-single", "Ewing, E. T. (2021). Public health responses to pandemics in 1918 and 2020. American Journal of Public "
     "Health, 111(10), 1715–1717. https://doi.org/10.2105/AJPH.2021.306453",
     dict(first="Ewing", year=2021, title="Public health responses to pandemics in 1918 and 2020",
          journal="American Journal of Public Health", volume="111", issue="10", pages="1715-1717",
          doi="10.2105/ajph.2021.306453")),
    ("apa-five-no-doi", "Vaidya, A., Hundemer, G. L., Nanba, K., Parksook, W. W., & Brown, J. M. (2022). Primary aldosteronism: "
     "State-of-the-art review. American Journal of Hypertension, 35(12), 967–988.",
     dict(first="Vaidya", year=2022, title="Primary aldosteronism: State-of-the-art review",
          journal="American Journal of Hypertension", volume="35", issue="12", pages="967-988", n_authors=5)),
    ("apa-article-number", "Lei, Y., Wang, Y., Shen, J., Cai, Z., Zhao, C., Chen, H., Luo, X., Hu, N., Cui, W., & Huang, W. "
     "(2022). Injectable hydrogel microspheres with self-renewable hydration layers alleviate osteoarthritis. Science "
     "Advances, 8(5), Article eabl6449. https://doi.org/10.1126/sciadv.abl6449",
     dict(first="Lei", year=2022, title="Injectable hydrogel microspheres with self-renewable hydration layers alleviate osteoarthritis",
          journal="Science Advances", volume="8", issue="5", pages="eabl6449", doi="10.1126/sciadv.abl6449", n_authors=10)),
    ("apa-20-authors", "Parsons, M. T., de la Hoya, M., Richardson, M. E., Tudini, E., Anderson, M., Berkofsky-Fessler, W., "
     "Caputo, S. M., Chan, R. C., Cline, M. S., Feng, B.-J., Fortuno, C., Gomez-Garcia, E., Hadler, J., Hiraki, S., "
     "Holdren, M., Houdayer, C., Hruska, K., James, P., Karam, R., . . . Spurdle, A. B. (2024). Evidence-based "
     "recommendations for gene-specific ACMG/AMP variant classification from the ClinGen ENIGMA BRCA1 and BRCA2 Variant "
     "Curation Expert Panel. The American Journal of Human Genetics, 111(9), 2044–2058. "
     "https://doi.org/10.1016/j.ajhg.2024.07.013",
     dict(first="Parsons", year=2024, title="Evidence-based recommendations for gene-specific ACMG/AMP variant classification "
          "from the ClinGen ENIGMA BRCA1 and BRCA2 Variant Curation Expert Panel",
          journal="The American Journal of Human Genetics", volume="111", issue="9", pages="2044-2058",
          doi="10.1016/j.ajhg.2024.07.013")),
    ("apa-crossref", "Boettiger, C. (2022). The forecast trap. Ecology Letters, 25(7), 1655–1664. "
     "https://doi.org/10.1111/ele.14024",
     dict(first="Boettiger", year=2022, title="The forecast trap", journal="Ecology Letters", volume="25", issue="7",
          pages="1655-1664", doi="10.1111/ele.14024")),
    # --- Harvard (Cite Them Right)
    ("harvard-available-at", "Afridi, B., Khan, H., Akkol, E.K. and Aschner, M. (2021) 'Pain perception and management: where "
     "do we stand?', Current Molecular Pharmacology, 14(5), pp. 678–688. Available at: "
     "https://doi.org/10.2174/1874467213666200611142438 (Accessed: 12 March 2024).",
     dict(first="Afridi", year=2021, title="Pain perception and management: where do we stand?",
          journal="Current Molecular Pharmacology", volume="14", issue="5", pages="678-688",
          doi="10.2174/1874467213666200611142438", n_authors=4)),
    ("harvard-doi-colon", "Adamantidis, A.R. and de Lecea, L. (2023) 'Sleep and the hypothalamus', Science, 382(6669), "
     "pp. 405–412. doi: 10.1126/science.adh8285.",
     dict(first="Adamantidis", year=2023, title="Sleep and the hypothalamus", journal="Science", volume="382",
          issue="6669", pages="405-412", doi="10.1126/science.adh8285", n_authors=2)),
    ("harvard-etal-single-page", "Gomes, F. et al. (2024) 'Patient-reported outcomes and experiences from a prospective cohort "
     "study of older patients with cancer on checkpoint inhibitors: the ELDERS study', Journal of Geriatric Oncology, "
     "15(5), p. 101777.",
     dict(first="Gomes", year=2024, title="Patient-reported outcomes and experiences from a prospective cohort study of older "
          "patients with cancer on checkpoint inhibitors: the ELDERS study", journal="Journal of Geriatric Oncology",
          volume="15", issue="5", pages="101777", et_al=True)),
    ("harvard-url-accessed", "Richter, E.A., Sylow, L. and Hargreaves, M. (2021) 'Interactions between insulin and exercise', "
     "Biochemical Journal, 478(21), pp. 3827–3846. Available at: https://pubmed.ncbi.nlm.nih.gov/34751700/ "
     "(Accessed: 3 January 2025).",
     dict(first="Richter", year=2021, title="Interactions between insulin and exercise", journal="Biochemical Journal",
          volume="478", issue="21", pages="3827-3846", pmid="34751700")),
    # --- Chicago author-date
    ("chicago-ad-doi", "Hogan, John I., Ralf Duerr, Dacia Dimartino, Christian Marier, Sarah E. Hochman, Sapna Mehta, Guiqing "
     "Wang, and Adriana Heguy. 2023. \"Remdesivir Resistance in Transplant Recipients With Persistent Coronavirus Disease "
     "2019.\" Clinical Infectious Diseases 76 (2): 342–45. https://doi.org/10.1093/cid/ciac769.",
     dict(first="Hogan", year=2023, title="Remdesivir Resistance in Transplant Recipients With Persistent Coronavirus Disease 2019",
          journal="Clinical Infectious Diseases", volume="76", issue="2", pages="342-45", doi="10.1093/cid/ciac769",
          n_authors=8)),
    ("chicago-ad-plain", "Richter, Erik A., Lykke Sylow, and Mark Hargreaves. 2021. \"Interactions between Insulin and "
     "Exercise.\" Biochemical Journal 478 (21): 3827–46.",
     dict(first="Richter", year=2021, title="Interactions between Insulin and Exercise", journal="Biochemical Journal",
          volume="478", issue="21", pages="3827-46", n_authors=3)),
    # --- Chicago notes-bibliography
    ("chicago-nb-doi", "VanDyck, Tyler J., and Michael R. Pinsky. \"Hemodynamic Monitoring in Cardiogenic Shock.\" Current "
     "Opinion in Critical Care 27, no. 4 (2021): 454–59. https://doi.org/10.1097/MCC.0000000000000838.",
     dict(first="VanDyck", year=2021, title="Hemodynamic Monitoring in Cardiogenic Shock",
          journal="Current Opinion in Critical Care", volume="27", issue="4", pages="454-59",
          doi="10.1097/mcc.0000000000000838", n_authors=2)),
    ("chicago-nb-single", "Ong, Leong Tung. \"Management and Outcomes of Acute Post-Streptococcal Glomerulonephritis in "
     "Children.\" World Journal of Nephrology 11, no. 5 (2022): 139–45.",
     dict(first="Ong", year=2022, title="Management and Outcomes of Acute Post-Streptococcal Glomerulonephritis in Children",
          journal="World Journal of Nephrology", volume="11", issue="5", pages="139-45", n_authors=1)),
    # --- MLA 9
    ("mla-etal", "Mahal, Jacqueline J., et al. \"Addressing System and Clinician Barriers to Emergency Department-Initiated "
     "Buprenorphine: An Evaluation of Post-Intervention Physician Outcomes.\" Western Journal of Emergency Medicine, "
     "vol. 25, no. 3, 2024, pp. 303-11.",
     dict(first="Mahal", year=2024, title="Addressing System and Clinician Barriers to Emergency Department-Initiated "
          "Buprenorphine: An Evaluation of Post-Intervention Physician Outcomes", journal="Western Journal of Emergency Medicine",
          volume="25", issue="3", pages="303-11", et_al=True)),
    ("mla-month-doi", "Brown, Timothy Ray. \"The London Patient.\" AIDS Research and Human Retroviruses, vol. 36, no. 4, "
     "Apr. 2020, pp. 251-52, https://doi.org/10.1089/AID.2020.0058.",
     dict(first="Brown", year=2020, title="The London Patient", journal="AIDS Research and Human Retroviruses",
          volume="36", issue="4", pages="251-52", doi="10.1089/aid.2020.0058")),
    ("mla-elocator", "Boulkedid, Rym, et al. \"Using and Reporting the Delphi Method for Selecting Healthcare Quality "
     "Indicators: A Systematic Review.\" PLoS ONE, vol. 6, no. 6, 2011, e20476.",
     dict(first="Boulkedid", year=2011, title="Using and Reporting the Delphi Method for Selecting Healthcare Quality "
          "Indicators: A Systematic Review", journal="PLoS ONE", volume="6", issue="6", pages="e20476")),
    # --- IEEE
    ("ieee-doi", "H. Prime, M. Wade, and D. T. Browne, \"Risk and resilience in family well-being during the COVID-19 "
     "pandemic,\" Am. Psychol., vol. 75, no. 5, pp. 631–643, 2020, doi: 10.1037/amp0000660.",
     dict(first="Prime", year=2020, title="Risk and resilience in family well-being during the COVID-19 pandemic",
          journal="Am. Psychol.", volume="75", issue="5", pages="631-643", doi=D_PRIME, n_authors=3)),
    ("ieee-month", "E. A. Richter, L. Sylow, and M. Hargreaves, \"Interactions between insulin and exercise,\" Biochem. J., "
     "vol. 478, no. 21, pp. 3827–3846, Nov. 2021.",
     dict(first="Richter", year=2021, title="Interactions between insulin and exercise", journal="Biochem. J.",
          volume="478", issue="21", pages="3827-3846", n_authors=3)),
    ("ieee-single", "C. Boettiger, \"The forecast trap,\" Ecol. Lett., vol. 25, no. 7, pp. 1655–1664, Jul. 2022.",
     dict(first="Boettiger", year=2022, title="The forecast trap", journal="Ecol. Lett.", volume="25", issue="7",
          pages="1655-1664", n_authors=1)),
    # --- Nature
    ("nature-etal", "Tosatto, L. et al. Single-molecule FRET studies on alpha-synuclein oligomerization of Parkinson's disease "
     "genetically related mutants. Sci. Rep. 5, 16696 (2015).",
     dict(first="Tosatto", year=2015, title="Single-molecule FRET studies on alpha-synuclein oligomerization of Parkinson's "
          "disease genetically related mutants", journal="Sci. Rep.", volume="5", pages="16696", et_al=True)),
    ("nature-two", "Adamantidis, A. R. & de Lecea, L. Sleep and the hypothalamus. Science 382, 405–412 (2023).",
     dict(first="Adamantidis", year=2023, title="Sleep and the hypothalamus", journal="Science", volume="382",
          pages="405-412", n_authors=2)),
    ("nature-initials", "Oliver, E. C. J. et al. Marine heatwaves. Annu. Rev. Mar. Sci. 13, 313–342 (2021).",
     dict(first="Oliver", year=2021, title="Marine heatwaves", journal="Annu. Rev. Mar. Sci.", volume="13", pages="313-342")),
    # --- Cell / Elsevier
    ("cell-many", "Lee, H.J., Lee, J.K., Lee, H., Carter, J.E., Chang, J.W., Oh, W., Yang, Y.S., Suh, J.-G., Lee, B.-H., "
     "Jin, H.K., and Bae, J.-s. (2012). Human umbilical cord blood-derived mesenchymal stem cells improve neuropathology "
     "and cognitive impairment in an Alzheimer's disease mouse model through modulation of neuroinflammation. "
     "Neurobiol. Aging 33, 588–602.",
     dict(first="Lee", year=2012, title="Human umbilical cord blood-derived mesenchymal stem cells improve neuropathology and "
          "cognitive impairment in an Alzheimer's disease mouse model through modulation of neuroinflammation",
          journal="Neurobiol. Aging", volume="33", pages="588-602", n_authors=11)),
    ("cell-five", "Vaidya, A., Hundemer, G.L., Nanba, K., Parksook, W.W., and Brown, J.M. (2022). Primary aldosteronism: "
     "state-of-the-art review. Am. J. Hypertens. 35, 967–988.",
     dict(first="Vaidya", year=2022, title="Primary aldosteronism: state-of-the-art review", journal="Am. J. Hypertens.",
          volume="35", pages="967-988", n_authors=5)),
    # --- BMJ / Lancet
    ("lancet", "Richter EA, Sylow L, Hargreaves M. Interactions between insulin and exercise. Biochem J 2021; 478: 3827–46.",
     dict(first="Richter", year=2021, title="Interactions between insulin and exercise", journal="Biochem J",
          volume="478", pages="3827-46")),
    ("bmj-pmid-lower", "Ewing ET. Public health responses to pandemics in 1918 and 2020. Am J Public Health 2021;111:1715-7. "
     "doi:10.2105/AJPH.2021.306453 pmid:34529508",
     dict(first="Ewing", year=2021, title="Public health responses to pandemics in 1918 and 2020", journal="Am J Public Health",
          volume="111", pages="1715-7", doi="10.2105/ajph.2021.306453", pmid="34529508")),
    ("lancet-etal", "Hogan JI, Duerr R, Dimartino D, et al. Remdesivir resistance in transplant recipients with persistent "
     "coronavirus disease 2019. Clin Infect Dis 2023; 76: 342–45.",
     dict(first="Hogan", year=2023, title="Remdesivir resistance in transplant recipients with persistent coronavirus disease 2019",
          journal="Clin Infect Dis", volume="76", pages="342-45", et_al=True)),
    # --- Wikipedia {{cite journal}}
    ("wiki-full", "Vaidya A, Hundemer GL, Nanba K, Parksook WW, Brown JM (December 2022). \"Primary Aldosteronism: "
     "State-of-the-Art Review\". American Journal of Hypertension. 35 (12): 967–988. doi:10.1093/ajh/hpac079. "
     "PMC 9729786. PMID 35767459.",
     dict(first="Vaidya", year=2022, title="Primary Aldosteronism: State-of-the-Art Review",
          journal="American Journal of Hypertension", volume="35", issue="12", pages="967-988", doi="10.1093/ajh/hpac079",
          pmid="35767459", pmcid="PMC9729786", n_authors=5)),
    ("wiki-single", "Brown TR (April 2020). \"The London Patient\". AIDS Research and Human Retroviruses. 36 (4): 251–252. "
     "doi:10.1089/AID.2020.0058. PMID 32160763.",
     dict(first="Brown", year=2020, title="The London Patient", journal="AIDS Research and Human Retroviruses",
          volume="36", issue="4", pages="251-252", doi="10.1089/aid.2020.0058", pmid="32160763")),
    ("wiki-year-only", "Ewing ET (2021). \"Public Health Responses to Pandemics in 1918 and 2020\". Am J Public Health. "
     "111 (10): 1715–1717.",
     dict(first="Ewing", year=2021, title="Public Health Responses to Pandemics in 1918 and 2020", journal="Am J Public Health",
          volume="111", issue="10", pages="1715-1717")),
    # --- blog hybrids (as in fixtures/articles/002)
    ("blog-fullnames-quoted", "Heather Prime, Mark Wade, Dillon T. Browne, (2020), “Risk and resilience in family well-being "
     "during the COVID-19 pandemic”. American Psychologist, Volume 75, Issue 5, 631-643.",
     dict(first="Prime", year=2020, title="Risk and resilience in family well-being during the COVID-19 pandemic",
          journal="American Psychologist", volume="75", issue="5", pages="631-643", n_authors=3)),
    ("blog-vancouver-quoted", "Richter EA, Sylow L, Hargreaves M., (2021), “Interactions between insulin and exercise.” "
     "Biochem J. 2021 Nov 12;478(21):3827-3846",
     dict(first="Richter", year=2021, title="Interactions between insulin and exercise", journal="Biochem J",
          volume="478", issue="21", pages="3827-3846")),
    ("blog-dated-volume", "Tyler J. VanDyck & Michael R. Pinsky, (2021), “Hemodynamic monitoring in cardiogenic shock” "
     "Current Opinion in Critical Care Volume 27, August 2021, 454-459.",
     dict(first="VanDyck", year=2021, title="Hemodynamic monitoring in cardiogenic shock",
          journal="Current Opinion in Critical Care", volume="27", pages="454-459", n_authors=2)),
]
ENTRIES += [
    ("ama-online-first", "Prime H, Wade M, Browne DT. Risk and resilience in family well-being during the COVID-19 pandemic. "
     "Am Psychol. Published online May 21, 2020. doi:10.1037/amp0000660",
     dict(first="Prime", year=2020, title="Risk and resilience in family well-being during the COVID-19 pandemic",
          journal="Am Psychol", doi=D_PRIME)),
    ("vanc-question-title", "Afridi B, Khan H, Akkol EK, Aschner M. Pain perception and management: where do we stand? "
     "Curr Mol Pharmacol. 2021;14(5):678-688.",
     dict(first="Afridi", year=2021, title="Pain perception and management: where do we stand?", journal="Curr Mol Pharmacol",
          volume="14", issue="5", pages="678-688", n_authors=4)),
    ("vanc-pmcid-full", "Ong LT. Management and outcomes of acute post-streptococcal glomerulonephritis in children. World J "
     "Nephrol. 2022 Sep 25;11(5):139-145. doi: 10.5527/wjn.v11.i5.139. PMID: 36187464; PMCID: PMC9521512.",
     dict(first="Ong", year=2022, title="Management and outcomes of acute post-streptococcal glomerulonephritis in children",
          journal="World J Nephrol", volume="11", issue="5", pages="139-145", doi="10.5527/wjn.v11.i5.139",
          pmid="36187464", pmcid="PMC9521512")),
    ("apa-markdown-italics", "Ewing, E. T. (2021). Public health responses to pandemics in 1918 and 2020. *American Journal "
     "of Public Health*, *111*(10), 1715–1717. https://doi.org/10.2105/AJPH.2021.306453",
     dict(first="Ewing", year=2021, title="Public health responses to pandemics in 1918 and 2020",
          journal="American Journal of Public Health", volume="111", issue="10", pages="1715-1717",
          doi="10.2105/ajph.2021.306453")),
    ("harvard-vol-no", "Richter, E.A., Sylow, L. and Hargreaves, M. (2021). Interactions between insulin and exercise. "
     "Biochemical Journal, Vol. 478 No. 21, pp. 3827-3846.",
     dict(first="Richter", year=2021, title="Interactions between insulin and exercise", journal="Biochemical Journal",
          volume="478", issue="21", pages="3827-3846", n_authors=3)),
    ("apa-markdown-link", "Boettiger, C. (2022). The forecast trap. _Ecology Letters_, _25_(7), 1655–1664. "
     "[https://doi.org/10.1111/ele.14024](https://doi.org/10.1111/ele.14024)",
     dict(first="Boettiger", year=2022, title="The forecast trap", journal="Ecology Letters", volume="25", issue="7",
          pages="1655-1664", doi="10.1111/ele.14024")),
    ("vanc-et-al-no-comma", "Park MD, Le Berichel J, Hamon P, et al. Hematopoietic aging promotes cancer by fueling "
     "IL-1⍺-driven emergency myelopoiesis. Science. 2024 Oct 25;386(6720):eadn0327.",
     dict(first="Park", year=2024, title="Hematopoietic aging promotes cancer by fueling IL-1⍺-driven emergency myelopoiesis",
          journal="Science", volume="386", issue="6720", pages="eadn0327", et_al=True)),
]


@pytest.mark.parametrize("entry,expected", [(e, x) for _, e, x in ENTRIES], ids=[i for i, _, _ in ENTRIES])
def test_entry_fields(entry, expected):
    f = parse_entry(entry)
    got = dict(first=f.authors[0].family if f.authors else None, year=f.year, title=f.title, journal=f.journal,
               volume=f.volume, issue=f.issue, pages=f.pages, doi=f.doi, pmid=f.pmid, pmcid=f.pmcid,
               et_al=f.et_al, n_authors=len(f.authors))
    assert {k: got[k] for k in expected} == expected
    for key in ("issue", "doi", "pmid", "pmcid"):  # nothing invented
        if key not in expected:
            assert got[key] is None, key
    assert classify(f, entry) == "scholarly"


# --- the reference-list finder over whole articles ---------------------------------------

FOOTER = ("Share this", "Related", "Leave a Reply", "©", "Facebook", "Tags:", "Thanks for reading", "Like this")

# article -> first author, year, volume and pages of each entry, in order
ARTICLES = {
    "vancouver_numbered.txt": [("Prime", 2020, "75", "631-643"), ("VanDyck", 2021, "27", "454-9"),
                               ("Richter", 2021, "478", "3827-3846"), ("Dong", 2021, "12", "659-666"),
                               ("Brown", 2020, "36", "251-252")],
    "apa_sources.md": [("Vaidya", 2022, "35", "967-988"), ("Ewing", 2021, "111", "1715-1717"),
                       ("Boettiger", 2022, "25", "1655-1664"), ("Lei", 2022, "8", "eabl6449")],
    "ieee_brackets.txt": [("Adamantidis", 2023, "382", "405-412"), ("Richter", 2021, "478", "3827-3846"),
                          ("VanDyck", 2021, "27", "454-459"), ("Boettiger", 2022, "25", "1655-1664")],
    "chicago_works_cited.html": [("Hogan", 2023, "76", "342-45"), ("VanDyck", 2021, "27", "454-59"),
                                 ("Ong", 2022, "11", "139-45"), ("Richter", 2021, "478", "3827-46")],
    "mixed_styles.txt": [("Mahal", 2024, "25", "303-11"), ("Brown", 2020, "36", "251-252"),
                         ("Adamantidis", 2023, "382", "405-412"), ("Vaidya", 2022, "35", "967-988"),
                         ("Ewing", 2021, "111", "1715-7"), ("Afridi", 2021, "14", "678-688"),
                         ("Tosatto", 2015, "5", "16696"), ("Gomes", 2024, "15", "101777")],
    "harvard_bare.txt": [("Adamantidis", 2023, "382", "405-412"), ("Richter", 2021, "478", "3827-3846"),
                         ("Gomes", 2024, "15", "101777")],
    "wrapped_lists.txt": [("Oliver", 2021, "13", "313-42"), ("Ong", 2022, "11", "139-145"),
                          ("Richter", 2021, "478", "3827-3846"), ("Richter", 2021, "478", "3827-3846"),
                          ("Prime", 2020, "75", "631-643"), ("Vaidya", 2022, "35", "967-988")],
}


@pytest.mark.parametrize("name", sorted(ARTICLES))
def test_reference_list_found_whole_and_nothing_else(name):
    refs = [c for c in extract_references(load_document(str(STYLES / name))) if c.note is None or "bare" not in c.note]
    got = [(c.fields.authors[0].family if c.fields.authors else None, c.fields.year, c.fields.volume, c.fields.pages)
           for c in refs]
    assert got == ARTICLES[name]
    assert all(c.category == "scholarly" for c in refs)
    for c in refs:
        assert not any(junk in c.text for junk in FOOTER), c.text
        assert not c.text.lstrip().startswith(("1.", "[1]", "1)", "-", "•")), c.text


def test_wrapped_entries_keep_their_source_lines():
    refs = extract_references(load_document(str(STYLES / "vancouver_numbered.txt")))
    richter = refs[2]
    assert richter.text.endswith("Biochem J. 2021 Nov 12;478(21):3827-3846.")
    assert richter.fields.journal == "Biochem J" and richter.fields.issue == "21"
    dong = refs[3]
    assert dong.fields.pmcid == "PMC7919130" and dong.fields.journal == "Thorac Cancer"


def test_works_cited_heading_with_star_bullets_and_paren_numbers():
    text = (
        "Sleep matters more than you think.\n\n"
        "**Works Cited**\n\n"
        "* Adamantidis AR, de Lecea L. Sleep and the hypothalamus. Science. 2023;382(6669):405-412.\n"
        "* Brown TR. The London patient. AIDS Res Hum Retroviruses. 2020;36(4):251-252.\n\n"
        "Leave a Reply\n\n"
        "(1) Ewing ET. Public health responses to pandemics in 1918 and 2020. Am J Public Health. "
        "2021;111(10):1715-1717.\n"
        "(2) Ong LT. Management and outcomes of acute post-streptococcal glomerulonephritis in children. "
        "World J Nephrol. 2022;11(5):139-145.\n\n"
        "© 2024 Example Health\n"
    )
    refs = extract_references(document_from_text(text, "a.md", "markdown"))
    assert [c.fields.authors[0].family for c in refs] == ["Adamantidis", "Brown", "Ewing", "Ong"]
    assert [c.fields.journal for c in refs] == ["Science", "AIDS Res Hum Retroviruses", "Am J Public Health",
                                                "World J Nephrol"]


# --- end to end against the emulator -------------------------------------------------------


def run_refs(name: str) -> list[dict]:
    result = runner.invoke(app, ["run", str(STYLES / name), "--format", "json"])
    assert result.stdout.strip().startswith("{"), result.output
    return [c for c in json.loads(result.stdout)["citations"] if c["kind"] == "reference"]


@pytest.mark.parametrize("name", sorted(ARTICLES))
def test_every_real_work_is_verified(service_env, name):
    refs = run_refs(name)
    assert len(refs) == len(ARTICLES[name])
    assert [c["verdict"] for c in refs] == ["verified"] * len(refs), [c["reason"] for c in refs]


def test_one_wrong_detail_is_mismatched_naming_the_field(service_env):
    refs = run_refs("one_detail_wrong.txt")
    assert [c["verdict"] for c in refs] == ["mismatched"] * 9
    assert [[d["field"] for d in c["differences"]] for c in refs] == [
        ["year"], ["volume"], ["pages"], ["journal"], ["issue"], ["pmid"], ["first_author"], ["pages"], ["issue"]]
    assert refs[0]["differences"][0]["found"] == 2020 and refs[3]["differences"][0]["stated"] == "Nature"
